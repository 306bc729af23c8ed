"""Spanish for the portal's account, agency records, requests and access pages
(web/portal_records.py and its templates)."""

SPANISH = {
    "E-mail": "Correo electrónico",
    "Phone call": "Llamada de teléfono",
    "Text message": "Mensaje de texto",
    "Post": "Correo postal",
    "This portal": "Este portal",
    "Open": "Abierto",
    "Inactive": "Inactivo",
    "Closed": "Cerrado",
    "Update your details": "Actualizar sus datos",
    "When you are available": "Cuándo está disponible",
    "Your sessions and payments": "Sus sesiones y pagos",
    "Requests": "Solicitudes",
    "Looked at your record": "Consultó su registro",
    "Found your record in a search": "Encontró su registro en una búsqueda",
    "Exported your record": "Exportó su registro",
    "Created your record": "Creó su registro",
    "Changed your record": "Cambió su registro",
    "Deleted your record": "Eliminó su registro",
    "Restored your record": "Restauró su registro",
    "Questions to answer": "Preguntas que responder",
    "A document": "Un documento",
    "Your location": "Su ubicación",
    "Permission to share information": "Permiso para compartir información",
    "To do": "Pendiente",
    "Done": "Hecho",
    "Withdrawn": "Retirada",
    "The file is too large": "El archivo es demasiado grande",
    "A PDF can be at most 10 MB and a photo at most 5 MB. Go back and choose a smaller file.":
        "Un PDF puede tener como máximo 10 MB y una foto como máximo 5 MB. Vuelva atrás y "
        "elija un archivo más pequeño.",
    "How do you want to be contacted?": "¿Cómo quiere que le contacten?",
    "Check this answer.": "Revise esta respuesta.",
    "Your details have been saved.": "Sus datos se han guardado.",
    "Your details could not be saved. Try again later.":
        "No se pudieron guardar sus datos. Inténtelo más tarde.",
    "Change your details": "Cambiar sus datos",
    "Your current password": "Su contraseña actual",
    "Enter your current password": "Escriba su contraseña actual",
    "New password": "Contraseña nueva",
    "Enter a new password": "Escriba una contraseña nueva",
    "Type the new password again": "Escriba la contraseña nueva otra vez",
    "Your password has been changed.": "Su contraseña se ha cambiado.",
    "Your password has been changed. Sign in with your new password.":
        "Su contraseña se ha cambiado. Inicie sesión con su contraseña nueva.",
    "Your current password is not right.": "Su contraseña actual no es correcta.",
    "Choose another password of at least 12 characters.":
        "Elija otra contraseña de al menos 12 caracteres.",
    "Change your password": "Cambiar su contraseña",
    "Your record at %(agency)s": "Su registro en %(agency)s",
    "Day": "Día",
    "Month": "Mes",
    "Year": "Año",
    "Enter a real date of birth, like 27 3 1980":
        "Escriba una fecha de nacimiento real, como 27 3 1980",
    "The date of birth must be in the past": "La fecha de nacimiento debe ser pasada",
    "Your record at %(agency)s has been saved.": "Su registro en %(agency)s se ha guardado.",
    "Change your record at %(agency)s": "Cambiar su registro en %(agency)s",
    "Who has seen your record at %(agency)s": "Quién ha visto su registro en %(agency)s",
    "Requests from %(agency)s": "Solicitudes de %(agency)s",
    "Address (optional)": "Dirección (opcional)",
    "Latitude": "Latitud",
    "Enter the latitude, a number from -90 to 90":
        "Escriba la latitud, un número de -90 a 90",
    "Longitude": "Longitud",
    "Enter the longitude, a number from -180 to 180":
        "Escriba la longitud, un número de -180 a 180",
    "Your full name": "Su nombre completo",
    "Type your full name to sign": "Escriba su nombre completo para firmar",
    "Choose a file or take a photo": "Elija un archivo o haga una foto",
    "Enter a number, like 3 or 2.5": "Escriba un número, como 3 o 2,5",
    "Yes": "Sí",
    "No": "No",
    "Choose yes or no": "Elija sí o no",
    "Choose an answer": "Elija una respuesta",
    "Write an answer": "Escriba una respuesta",
    "Your answer must be 5,000 characters or fewer":
        "Su respuesta debe tener 5.000 caracteres o menos",
    "Enter a real date, like 27 3 2027": "Escriba una fecha real, como 27 3 2027",
    "Enter a date": "Escriba una fecha",
    "The end date must be on or after the start date":
        "La fecha final debe ser igual o posterior a la fecha de inicio",
    "The end date must be today or later": "La fecha final debe ser hoy o posterior",
    "This request has already been answered or was withdrawn.":
        "Esta solicitud ya se ha respondido o se ha retirado.",
    "Choose a file, or take a photo": "Elija un archivo, o haga una foto",
    "Thank you: %(what)s has been sent to %(agency)s.":
        "Gracias: %(what)s se ha enviado a %(agency)s.",
    "The file is too large: a PDF can be at most 10 MB and a photo at most 5 MB.":
        "El archivo es demasiado grande: un PDF puede tener como máximo 10 MB y una foto como "
        "máximo 5 MB.",
    "This file cannot be used. Send a PDF (not protected by a password) or a photo (JPEG, "
    "PNG, GIF or WebP).":
        "Este archivo no se puede usar. Envíe un PDF (sin contraseña) o una foto (JPEG, PNG, "
        "GIF o WebP).",
    "The end date must be today or later, and on or after the start date":
        "La fecha final debe ser hoy o posterior, e igual o posterior a la fecha de inicio",
    "Check your answers.": "Revise sus respuestas.",
    "Your answer could not be sent. Try again later.":
        "No se pudo enviar su respuesta. Inténtelo más tarde.",
    "Back to requests": "Volver a las solicitudes",
    "You have already done this.": "Ya ha hecho esto.",
    "The agency no longer needs this.": "La agencia ya no lo necesita.",
    "Your records": "Sus registros",
    "Your details (all agencies)": "Sus datos (todas las agencias)",
    "Your record": "Su registro",
    "Sessions": "Sesiones",
    "Payments": "Pagos",
    "Who has seen your record": "Quién ha visto su registro",
    "This record": "Este registro",
    "Each time someone at %(agency)s looked at, found or changed your record, newest first. "
    "What they saw or changed is not shown here.":
        "Cada vez que alguien de %(agency)s consultó, encontró o cambió su registro, lo más "
        "reciente primero. Aquí no se muestra lo que vio o cambió.",
    "Who looked at or changed your record": "Quién consultó o cambió su registro",
    "When": "Cuándo",
    "Who": "Quién",
    "Their role": "Su función",
    "What they did": "Qué hizo",
    "Someone at the agency": "Alguien de la agencia",
    "Not known": "Desconocido",
    "Pages": "Páginas",
    "Newest first": "Lo más reciente",
    "Older": "Anteriores",
    "Nobody at the agency has looked at your record yet.":
        "Nadie de la agencia ha consultado su registro todavía.",
    "There is nothing older.": "No hay nada anterior.",
    "Every agency you are linked with gets these changes.":
        "Cada agencia con la que está vinculado recibe estos cambios.",
    "You still sign in with %(username)s.": "Seguirá iniciando sesión con %(username)s.",
    "Choose all that suit you.": "Elija todas las que le convengan.",
    "Change your phone numbers": "Cambiar sus números de teléfono",
    "Answer every question, then send your answers to %(agency)s.":
        "Responda a todas las preguntas y envíe sus respuestas a %(agency)s.",
    "Send my answers": "Enviar mis respuestas",
    "A PDF of at most 10 MB, or a photo (JPEG, PNG, GIF or WebP) of at most 5 MB. On a phone "
    "you can take a photo of the paper.":
        "Un PDF de 10 MB como máximo, o una foto (JPEG, PNG, GIF o WebP) de 5 MB como máximo. "
        "En un teléfono puede hacer una foto del papel.",
    "Send the file": "Enviar el archivo",
    "Tell %(agency)s where you are. Latitude and longitude are the numbers a map app shows "
    "for a place.":
        "Diga a %(agency)s dónde está. La latitud y la longitud son los números que una "
        "aplicación de mapas muestra para un lugar.",
    "Use my current location": "Usar mi ubicación actual",
    "Finding your location…": "Buscando su ubicación…",
    "Your location has been filled in below. Check it, then send it.":
        "Su ubicación se ha escrito abajo. Revísela y envíela.",
    "Your location could not be found. Type the numbers instead.":
        "No se pudo encontrar su ubicación. Escriba los números.",
    "For example, 51.5072": "Por ejemplo, 51.5072",
    "For example, -0.1276": "Por ejemplo, -0.1276",
    "Send my location": "Enviar mi ubicación",
    "%(agency)s asks your permission to share information about you with the people and "
    "services that help you, for the time you choose.":
        "%(agency)s le pide permiso para compartir información sobre usted con las personas y "
        "servicios que le ayudan, durante el tiempo que elija.",
    "From": "Desde",
    "For example, 1 3 2027": "Por ejemplo, 1 3 2027",
    "Until": "Hasta",
    "For example, 1 3 2028": "Por ejemplo, 1 3 2028",
    "Typing your full name signs this permission.":
        "Al escribir su nombre completo firma este permiso.",
    "Sign and send": "Firmar y enviar",
    "name": "nombre",
    "e-mail address": "correo electrónico",
    "How you want to be contacted": "Cómo quiere que le contacten",
    "Not said": "Sin indicar",
    "how you want to be contacted": "cómo quiere que le contacten",
    "password": "contraseña",
    "Each agency keeps its own record of you and decides what you can see and do there.":
        "Cada agencia guarda su propio registro de usted y decide qué puede ver y hacer allí.",
    "from %(agency)s": "de %(agency)s",
    "You will be signed out on your other devices.":
        "Se cerrará su sesión en sus otros dispositivos.",
    "This is what %(agency)s keeps about you and lets you see.":
        "Esto es lo que %(agency)s guarda sobre usted y le deja ver.",
    "You can change it here; it changes only this agency's record.":
        "Puede cambiarlo aquí; solo cambia el registro de esta agencia.",
    "To change it, ask the agency, or change your details for all agencies.":
        "Para cambiarlo, pídalo a la agencia, o cambie sus datos para todas las agencias.",
    "Date of birth": "Fecha de nacimiento",
    "Not given": "Sin indicar",
    "Case number": "Número de caso",
    "Your case": "Su caso",
    "Last changed": "Último cambio",
    "Change this record": "Cambiar este registro",
    "What %(agency)s offers you here": "Lo que %(agency)s le ofrece aquí",
    "Only this record, for now.": "Solo este registro, por ahora.",
    "Only %(agency)s's record changes. To change your details for every agency, change your "
    "details instead.":
        "Solo cambia el registro de %(agency)s. Para cambiar sus datos en todas las agencias, "
        "cambie sus datos.",
    "Date of birth (optional)": "Fecha de nacimiento (opcional)",
    "For example, 27 3 1980": "Por ejemplo, 27 3 1980",
    "Asked %(when)s": "Pedida el %(when)s",
    "%(agency)s has not asked you for anything.": "%(agency)s no le ha pedido nada.",
    "Sent %(when)s": "Enviada el %(when)s",
    "Nothing yet.": "Nada todavía.",
}
