"""Demo data of the Nuovo Circondario Imolese table: process, axes, organizations, accounts.

Demo accounts share the password below; it exists only here and in docs (never in config).
The organizations carry realistic local names; their adhesions and positions are fictional.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.auth.models import User
from app.auth.services import create_user
from app.organizations.models import Organization
from app.organizations.services import adhere, create_organization
from app.process.models import Axis, Phase, Process

DEMO_PASSWORD = "tavolo-demo"
PROCESS_SLUG = "piano-strategico-nci"

PHASES = [
    ("condivisione", "Condivisione", "Il Tavolo di Negoziazione condivide il percorso, i temi e il calendario.",
     dt.date(2020, 1, 15), dt.date(2020, 3, 31)),
    ("apertura", "Apertura", "World café con il mondo economico e produttivo e con le associazioni culturali e di "
     "volontariato; town meeting con i cittadini, anche per selezione.", dt.date(2020, 4, 1), dt.date(2020, 8, 31)),
    ("restituzione", "Restituzione", "Evento di presentazione degli esiti a tutta la comunità.",
     dt.date(2020, 9, 1), dt.date(2020, 11, 15)),
]

AXES = [
    ("sviluppo-economico", "Sviluppo economico", "Lavoro, imprese, filiere produttive e attrattività del territorio."),
    ("connessioni", "Connessioni materiali e immateriali", "Mobilità, infrastrutture, banda ultralarga e reti di servizi."),
    ("sostenibilita", "Sviluppo sostenibile", "Transizione ecologica, energia, consumo di suolo e riqualificazione."),
    ("valle-santerno", "Valle del Santerno", "La vallata come sistema: servizi, turismo, presidio dei comuni montani."),
    ("salute", "Salute e qualità della vita", "Welfare locale, sanità territoriale, cultura, sport e coesione sociale."),
]

#: (key, name, short name, category, place, adheres)
ORGANIZATIONS = [
    ("cna", "CNA Imola", "CNA", "associazione_categoria", "Imola", True),
    ("confartigianato", "Confartigianato Imola", "Confartigianato", "associazione_categoria", "Imola", True),
    ("ascom", "Confcommercio Ascom Imola", "Ascom", "associazione_categoria", "Imola", True),
    ("legacoop", "Legacoop Imola", "Legacoop", "associazione_categoria", "Imola", True),
    ("cgil", "CGIL Imola", "CGIL", "sindacato", "Imola", True),
    ("cisl", "CISL Area metropolitana bolognese – Imola", "CISL", "sindacato", "Imola", True),
    ("volabo", "VOLABO – Centro servizi per il volontariato", "VOLABO", "terzo_settore", "Imola", True),
    ("prolococsp", "Pro Loco Castel San Pietro Terme", "Pro Loco CSPT", "cultura", "Castel San Pietro Terme", True),
    ("unibo", "Università di Bologna – Campus di Imola", "UniBo Imola", "ricerca", "Imola", True),
    ("medicina", "Comune di Medicina", "Medicina", "ente_pubblico", "Medicina", True),
    ("santerno", "Comitato per la Valle del Santerno", "Comitato Santerno", "comitato", "Borgo Tossignano", True),
    ("coldiretti", "Coldiretti Imola", "Coldiretti", "associazione_categoria", "Imola", False),
]

STAFF = [
    ("admin", "admin@demo.test", "Segreteria del Tavolo", "admin"),
    ("chair", "presidenza@demo.test", "Giulia Ferri (presidenza)", "chair"),
    ("observer", "osservatore@demo.test", "Tecnico di garanzia (osservatore)", "observer"),
]

DELEGATE_NAMES = [
    "Marco Bassi", "Elena Ricci", "Paolo Gardi", "Sara Montanari", "Luca Zanelli", "Chiara Poggi",
    "Andrea Tozzi", "Francesca Galli", "Davide Ronchi", "Anna Cavina", "Stefano Marri", "Laura Bacchilega",
]


def delegate_email(key: str) -> str:
    return f"delegato.{key}@demo.test"


def seed(session: Any, ctx: dict) -> None:
    """The foundation of the demo. Idempotent: finds what exists, creates what is missing."""
    process = session.scalar(sa.select(Process).where(Process.slug == PROCESS_SLUG))
    if process is None:
        process = Process(
            slug=PROCESS_SLUG, name="Piano strategico di Unione", promoter="Nuovo Circondario Imolese",
            summary=(
                "Percorso partecipativo per una pianificazione strategica inclusiva dei dieci comuni "
                "del Nuovo Circondario Imolese (LR 15/2018). Ne nasce un Patto per lo sviluppo che "
                "gli attori del territorio sottoscrivono."
            ),
        )
        session.add(process)
        session.flush()
        for position, (key, name, description, start, end) in enumerate(PHASES, start=1):
            session.add(Phase(process_id=process.id, key=key, name=name, description=description,
                              position=position, starts_on=start, ends_on=end))
        for position, (code, name, description) in enumerate(AXES, start=1):
            session.add(Axis(process_id=process.id, code=code, name=name, description=description, position=position))
        session.flush()
        record(session, None, "process.process.created", process, {"name": process.name, "demo": True})
    ctx["process"] = process
    ctx["axes"] = {a.code: a for a in session.scalars(sa.select(Axis).where(Axis.process_id == process.id))}

    users: dict[str, User] = {}
    for key, email, name, role in STAFF:
        users[key] = session.scalar(sa.select(User).where(User.email == email)) or create_user(
            session, None, email=email, name=name, role=role, password=DEMO_PASSWORD, system=True)

    organizations: dict[str, Organization] = {}
    for index, (key, name, short, category, place, adheres) in enumerate(ORGANIZATIONS):
        organization = session.scalar(sa.select(Organization).where(Organization.name == name))
        if organization is None:
            organization = create_organization(
                session, None, name=name, short_name=short, category=category, place=place, system=True,
                description=f"{name} – componente del Tavolo di Negoziazione (dati dimostrativi).",
            )
        organizations[key] = organization
        email = delegate_email(key)
        delegate = session.scalar(sa.select(User).where(User.email == email)) or create_user(
            session, None, email=email, name=DELEGATE_NAMES[index], role="member", password=DEMO_PASSWORD,
            organization_id=organization.id, member_kind="delegate", system=True)
        users[f"delegate:{key}"] = delegate
        if adheres and not organization.adhesions:
            adhere(session, delegate, organization,
                   "Aderiamo al Tavolo di Negoziazione e sosteniamo la promozione delle attività del percorso.",
                   system=True)
    substitute_email = "sostituto.cna@demo.test"
    users["substitute:cna"] = session.scalar(sa.select(User).where(User.email == substitute_email)) or create_user(
        session, None, email=substitute_email, name="Valeria Monti", role="member", password=DEMO_PASSWORD,
        organization_id=organizations["cna"].id, member_kind="substitute", system=True)
    ctx["organizations"] = organizations
    ctx["users"] = users


def demo_accounts(session: Any) -> list[tuple[str, str, str]]:
    rows = session.execute(
        sa.select(User.email, User.role, User.name).where(User.email.like("%@demo.test")).order_by(User.role, User.email)
    ).all()
    return [(r.email, r.role, r.name) for r in rows]
