"""Spanish for the portal's scheduling pages (web/portal_scheduling.py, and what it shares with
web/staff_scheduling.py: the weekly availability form, days, payment methods)."""

SPANISH = {
    "your availability": "su disponibilidad",
    "your sessions": "sus sesiones",
    "your payments": "sus pagos",
    "%(agency)s does not offer this in the portal": "%(agency)s no ofrece esto en el portal",
    "Your availability has been saved.": "Se ha guardado su disponibilidad.",
    "Your availability": "Su disponibilidad",
    "Your sessions with %(agency)s": "Sus sesiones con %(agency)s",
    "Not given": "Sin indicar",
    "Your payments to %(agency)s": "Sus pagos a %(agency)s",
    "Monday": "Lunes",
    "Tuesday": "Martes",
    "Wednesday": "Miércoles",
    "Thursday": "Jueves",
    "Friday": "Viernes",
    "Saturday": "Sábado",
    "Sunday": "Domingo",
    "Cash": "Efectivo",
    "Card": "Tarjeta",
    "Bank transfer": "Transferencia bancaria",
    "Enter a start and an end time, like 09:00 and 12:30":
        "Escriba una hora de inicio y una de fin, como 09:00 y 12:30",
    "The end time must be after the start time":
        "La hora de fin debe ser posterior a la de inicio",
    "This time overlaps %(start)s to %(end)s": "Este horario se solapa con %(start)s a %(end)s",
    "This time overlaps another time on that day":
        "Este horario se solapa con otro del mismo día",
    "A practitioner": "Un profesional",
    "Check the times: they could not be saved as they are":
        "Revise los horarios: no se han podido guardar así",
    "Tell %(agency)s when you are usually free each week, so they can offer you sessions at "
    "those times.":
        "Indique a %(agency)s cuándo suele estar libre cada semana, para que le ofrezcan "
        "sesiones en esos horarios.",
    "Your week now": "Su semana ahora",
    "Change your availability": "Cambiar su disponibilidad",
    "%(start)s to %(end)s": "%(start)s a %(end)s",
    "Not available": "No disponible",
    "Times are in the agency's time zone (%(zone)s). Leave a day blank when not available. "
    "To remove a time, clear both its boxes.":
        "Las horas están en la zona horaria de la agencia (%(zone)s). Deje un día en blanco si "
        "no está disponible. Para quitar un horario, vacíe sus dos casillas.",
    "From": "Desde",
    "(%(day)s, time %(n)s)": "(%(day)s, horario %(n)s)",
    "To": "Hasta",
    "Save and add another time on %(day)s": "Guardar y añadir otro horario el %(day)s",
    "Save availability": "Guardar disponibilidad",
    "You cannot see %(what)s here: %(agency)s has not turned this on for its clients. Contact "
    "them to ask.":
        "No puede ver %(what)s aquí: %(agency)s no lo ha activado para sus clientes. "
        "Póngase en contacto con ellos para pedirlo.",
    "Go to your details": "Ir a sus datos",
    "Your payments": "Sus pagos",
    "Payments, newest first": "Pagos, los más recientes primero",
    "Date": "Fecha",
    "Amount": "Importe",
    "Method": "Forma de pago",
    "No payments have been recorded.": "No hay pagos registrados.",
    "Cancelled": "Cancelada",
    "With %(names)s": "Con %(names)s",
    "Your sessions": "Sus sesiones",
    "Times are in the agency's time zone (%(zone)s).":
        "Las horas están en la zona horaria de la agencia (%(zone)s).",
    "Upcoming": "Próximas",
    "You have no upcoming sessions.": "No tiene sesiones próximas.",
    "Past": "Pasadas",
    "You have no past sessions.": "No tiene sesiones pasadas.",
}
