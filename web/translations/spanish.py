"""The Spanish catalogue's translations, and the command that rebuilds the catalogues:

    .venv/bin/pybabel extract -F web/babel.cfg -k _l -o web/translations/messages.pot \\
        --no-location --omit-header .
    .venv/bin/python -m web.translations.spanish      # writes es/LC_MESSAGES/messages.po and .mo

Each part of the portal keeps its own translations in ``es_<part>.py`` beside this file (a
dict ``SPANISH``), merged here. A message of the templates with no translation stops the
command (and fails tests/web/test_units.py): every portal text is shipped in both languages.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

SPANISH = {
    "Mobile": "Móvil",
    "Home": "Casa",
    "Work": "Trabajo",
    "Other": "Otro",
    "Enrolment pending": "Inscripción pendiente",
    "Active": "Activo",
    "No access": "Sin acceso",
    "E-mail address": "Correo electrónico",
    "Enter your e-mail address": "Escriba su correo electrónico",
    "Password": "Contraseña",
    "Enter your password": "Escriba su contraseña",
    "Create a password": "Cree una contraseña",
    "Enter a password": "Escriba una contraseña",
    "Your password must be at least 12 characters long":
        "Su contraseña debe tener al menos 12 caracteres",
    "Type your password again": "Escriba su contraseña otra vez",
    "The passwords do not match": "Las contraseñas no coinciden",
    "Your password": "Su contraseña",
    "Type": "Tipo",
    "Number": "Número",
    "Enter a phone number using digits, spaces and ( ) - . only":
        "Escriba un número de teléfono solo con dígitos, espacios y ( ) - .",
    "Language": "Idioma",
    "Your session has ended. Sign in again.": "Su sesión ha terminado. Inicie sesión otra vez.",
    "This invitation link does not work": "Este enlace de invitación no funciona",
    "Your account is ready.": "Su cuenta está lista.",
    "The password is not right for your existing account.":
        "La contraseña no es la de su cuenta.",
    "Too many failed attempts. Wait a few minutes and try again.":
        "Demasiados intentos fallidos. Espere unos minutos y vuelva a intentarlo.",
    "Choose another password.": "Elija otra contraseña.",
    "Something went wrong. Try again later.": "Algo salió mal. Inténtelo más tarde.",
    "Set up your account": "Configure su cuenta",
    "Enter the right e-mail address and password.":
        "Escriba el correo electrónico y la contraseña correctos.",
    "Sign in": "Iniciar sesión",
    "You have signed out.": "Ha cerrado la sesión.",
    "Your details": "Sus datos",
    "Your phone numbers have been saved.": "Sus números de teléfono se han guardado.",
    "Your phone numbers could not be saved.": "No se pudieron guardar sus números de teléfono.",
    "Your phone numbers": "Sus números de teléfono",
    "Error:": "Error:",
    "Skip to main content": "Saltar al contenido principal",
    "Service information": "Información del servicio",
    "Success": "Hecho",
    "Important": "Importante",
    "There is a problem": "Hay un problema",
    "Show": "Mostrar",
    "Hide": "Ocultar",
    "Show password": "Mostrar contraseña",
    "Hide password": "Ocultar contraseña",
    "Your password is visible": "Su contraseña es visible",
    "Your password is hidden": "Su contraseña está oculta",
    "Casework client portal": "Portal de clientes de Casework",
    "Menu": "Menú",
    "Sign out": "Cerrar sesión",
    "Change language": "Cambiar idioma",
    "These details are shared with every agency you are linked with. When you change them, "
    "each agency sees the change.":
        "Estos datos se comparten con cada agencia con la que está vinculado. Cuando los "
        "cambia, cada agencia ve el cambio.",
    "Name": "Nombre",
    "Phone numbers": "Números de teléfono",
    "None": "Ninguno",
    "Change": "Cambiar",
    "phone numbers": "números de teléfono",
    "Username": "Nombre de usuario",
    "Your agencies": "Sus agencias",
    "Portal access:": "Acceso al portal:",
    "Being set up": "En preparación",
    "You are not linked with any agency yet.": "Todavía no está vinculado con ninguna agencia.",
    "%(agency)s invited you to see and update your details online.":
        "%(agency)s le ha invitado a ver y actualizar sus datos en línea.",
    "You will sign in with your e-mail address:":
        "Iniciará sesión con su correo electrónico:",
    "You already have an account. Enter its password to add this agency to it.":
        "Ya tiene una cuenta. Escriba su contraseña para añadirle esta agencia.",
    "Add to my account": "Añadir a mi cuenta",
    "At least 12 characters. A few words you remember are a good password.":
        "Al menos 12 caracteres. Unas palabras que recuerde son una buena contraseña.",
    "Create account": "Crear cuenta",
    "It may have been used already, replaced by a newer invitation, or it has expired.":
        "Puede que ya se haya usado, que una invitación más reciente lo haya sustituido o que "
        "haya caducado.",
    "Ask your agency to send you a new invitation, or":
        "Pida a su agencia que le envíe una nueva invitación, o",
    "sign in if you already have an account": "inicie sesión si ya tiene una cuenta",
    "Back": "Atrás",
    "Leave a number empty to remove it.": "Deje un número vacío para quitarlo.",
    "Phone %(n)s": "Teléfono %(n)s",
    "Save": "Guardar",
    "Page not found": "Página no encontrada",
    "If you typed the web address, check it is correct.":
        "Si escribió la dirección web, compruebe que es correcta.",
    "Your form expired": "Su formulario ha caducado",
    "The page was open too long or in another session. Go back, reload the page and try again.":
        "La página estuvo abierta demasiado tiempo o en otra sesión. Vuelva atrás, recargue la "
        "página e inténtelo otra vez.",
    "Sorry, there is a problem with the service": "Lo sentimos, hay un problema con el servicio",
    "Try again later.": "Inténtelo más tarde.",
    "You cannot see this page": "No puede ver esta página",
    "Your agency does not give you this part of the service, or your access has been stopped.":
        "Su agencia no le ofrece esta parte del servicio, o su acceso se ha suspendido.",
    "Check your e-mail": "Revise su correo electrónico",
    "Enter an e-mail address in the right format, like name@example.org":
        "Escriba un correo electrónico con el formato correcto, como nombre@example.org",
    "Reset your password": "Restablecer su contraseña",
    "This password reset link does not work":
        "Este enlace para restablecer la contraseña no funciona",
    "Choose a new password": "Elija una contraseña nueva",
    "Your password has been changed": "Su contraseña se ha cambiado",
    "First name": "Nombre",
    "Enter your first name": "Escriba su nombre",
    "Last name": "Apellidos",
    "Enter your last name": "Escriba sus apellidos",
    "Phone number (optional)": "Número de teléfono (opcional)",
    "This link to join does not work": "Este enlace para unirse no funciona",
    "Your request has been sent": "Su solicitud se ha enviado",
    "This e-mail address already has an account: enter that account's password.":
        "Este correo electrónico ya tiene una cuenta: escriba la contraseña de esa cuenta.",
    "Check the details you gave.": "Revise los datos que ha dado.",
    "Ask to join %(agency)s": "Solicitar unirse a %(agency)s",
    "Your message": "Su mensaje",
    "Write your message": "Escriba su mensaje",
    "Your message must be 20,000 characters or fewer":
        "Su mensaje debe tener 20.000 caracteres o menos",
    "Who do you want to write to?": "¿A quién quiere escribir?",
    "Choose who to write to": "Elija a quién escribir",
    "Messages with %(agency)s": "Mensajes con %(agency)s",
    "Your message has been sent.": "Su mensaje se ha enviado.",
    "Your message could not be sent. Try again later.":
        "No se pudo enviar su mensaje. Inténtelo más tarde.",
    "Messages with %(name)s": "Mensajes con %(name)s",
    "This person cannot be contacted through the portal. Choose someone else, or wait for "
    "your agency to write to you.":
        "No se puede contactar con esta persona a través del portal. Elija a otra persona, o "
        "espere a que su agencia le escriba.",
    "Check your message.": "Revise su mensaje.",
    "Write to your care team": "Escribir a su equipo de atención",
    "Enter the e-mail address you sign in with. We will send you a link to choose a new "
    "password.":
        "Escriba el correo electrónico con el que inicia sesión. Le enviaremos un enlace para "
        "elegir una contraseña nueva.",
    "Send the link": "Enviar el enlace",
    "Messages": "Mensajes",
    "with %(agency)s": "con %(agency)s",
    "Tell %(agency)s who you are. Their staff will check your request; once they accept it, "
    "you can see and update your details online.":
        "Diga a %(agency)s quién es. Su personal revisará su solicitud; cuando la acepte, podrá "
        "ver y actualizar sus datos en línea.",
    "You will sign in with this address.": "Iniciará sesión con este correo electrónico.",
    "At least 12 characters. If you already have an account with this e-mail address, enter "
    "its password.":
        "Al menos 12 caracteres. Si ya tiene una cuenta con este correo electrónico, escriba su "
        "contraseña.",
    "Send request": "Enviar solicitud",
    "The agency has turned this link off or replaced it, or the address is not complete.":
        "La agencia ha desactivado o sustituido este enlace, o la dirección no está completa.",
    "Ask the agency for its current link, or": "Pida a la agencia su enlace actual, o",
    "%(agency)s will check your request. Once they accept it, you will see them in your "
    "account.":
        "%(agency)s revisará su solicitud. Cuando la acepte, la verá en su cuenta.",
    "Sign in to your account": "Iniciar sesión en su cuenta",
    "Forgot your password?": "¿Olvidó su contraseña?",
    "At %(agency)s.": "En %(agency)s.",
    "Send": "Enviar",
    "There is nobody you can write to yet. Your agency can write to you first.":
        "Todavía no hay nadie a quien pueda escribir. Su agencia puede escribirle primero.",
    "You have been signed out everywhere. Sign in with your new password.":
        "Se ha cerrado su sesión en todas partes. Inicie sesión con su contraseña nueva.",
    "Sign in to the client portal": "Iniciar sesión en el portal de clientes",
    "Sign in to the staff console": "Iniciar sesión en la consola del personal",
    "Change password": "Cambiar contraseña",
    "It has been used already, replaced by a newer link, or it has expired: a link works "
    "once, for one hour.":
        "Ya se ha usado, un enlace más reciente lo ha sustituido o ha caducado: un enlace "
        "funciona una vez, durante una hora.",
    "Ask for a new link:": "Pida un enlace nuevo:",
    "clients of the portal": "clientes del portal",
    "staff of an agency": "personal de una agencia",
    "If %(email)s is the address of an account, we have sent it a link to choose a new "
    "password.":
        "Si %(email)s es el correo de una cuenta, le hemos enviado un enlace para elegir una "
        "contraseña nueva.",
    "The link works once, for one hour. If nothing arrives, check your spam folder, or ask "
    "again in a few minutes.":
        "El enlace funciona una vez, durante una hora. Si no llega nada, revise su carpeta de "
        "correo no deseado o vuelva a pedirlo en unos minutos.",
    "Back to sign in": "Volver a iniciar sesión",
    "All messages with %(agency)s": "Todos los mensajes con %(agency)s",
    "You": "Usted",
    "Conversations, latest first": "Conversaciones, las más recientes primero",
    "With": "Con",
    "Last message": "Último mensaje",
    "New messages": "Mensajes nuevos",
    "Your agency": "Su agencia",
    "%(n)s new": "%(n)s nuevos",
    "Older conversations": "Conversaciones anteriores",
    "You have no messages yet.": "Todavía no tiene mensajes.",
}


def catalogue() -> dict[str, str]:
    """Every translation: this file's and each ``es_*.py`` part's."""
    import importlib

    merged = dict(SPANISH)
    for part in sorted(HERE.glob("es_*.py")):
        merged.update(importlib.import_module(f"web.translations.{part.stem}").SPANISH)
    return merged


def build() -> list[str]:
    """Write es/LC_MESSAGES/messages.po and .mo from messages.pot; answer the messages that
    have no translation."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    with open(HERE / "messages.pot", "rb") as stream:
        catalog = read_po(stream, locale="es", domain="messages")
    missing = []
    spanish = catalogue()
    for message in catalog:
        if not message.id:
            continue
        if message.id in spanish:
            message.string = spanish[message.id]
        else:
            missing.append(message.id)
    catalog.language_team = "Casework"
    target = HERE / "es" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.po", "wb") as stream:
        write_po(stream, catalog, omit_header=False, no_location=True, width=100)
    with open(target / "messages.mo", "wb") as stream:
        write_mo(stream, catalog)
    return missing


if __name__ == "__main__":
    missing = build()
    for message in missing:
        print(f"no Spanish for: {message!r}", file=sys.stderr)
    sys.exit(1 if missing else 0)
