"""Demo: the draft of the Patto per lo sviluppo del Nuovo Circondario Imolese, with positions of the
table (one reservation, one opposition: a visible conflict), version 1 frozen and three signatures."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.pact.models import Pact
from app.pact.services import clauses_of, freeze_version, import_pact, set_endorsement, sign_pact

TITLE = "Patto per lo sviluppo del Nuovo Circondario Imolese"

DRAFT = """# Sviluppo economico

## Filiere produttive del territorio

I firmatari sostengono le filiere della meccanica, dell'agroalimentare e della ceramica, favorendo
la collaborazione tra imprese, scuole tecniche e Campus universitario.

Impegni:
- condividere ogni anno i dati sull'occupazione nelle filiere
- partecipare al tavolo tecnico sulle competenze

## Lavoro di qualità

Gli investimenti sostenuti dal Patto rispettano i contratti collettivi e la sicurezza sul lavoro.

Impegni:
- inserire una clausola sociale negli appalti promossi dai firmatari

## Attrattività per i giovani

Il territorio promuove tirocini, apprendistato e servizi per chi sceglie di restare o di arrivare.

# Connessioni materiali e immateriali

## Mobilità tra i comuni

Collegamenti ciclabili e trasporto a chiamata tra i dieci comuni del Circondario, con orari coordinati.

Impegni:
- mettere a disposizione i dati sugli spostamenti casa-lavoro

## Banda ultralarga

Copertura in fibra delle aree produttive e dei centri della vallata entro la durata del Patto.

## Logistica sostenibile

La logistica si sviluppa solo su aree già impermeabilizzate o dismesse, senza nuovo consumo di suolo.

# Sviluppo sostenibile

## Comunità energetiche

I firmatari promuovono comunità energetiche rinnovabili tra imprese, enti e cittadini.

Impegni:
- valutare l'adesione a una comunità energetica entro un anno

## Rigenerazione urbana

Priorità al recupero degli edifici dismessi nei centri storici e nelle frazioni.
"""


def seed(session: Any, ctx: dict) -> None:
    if session.scalar(sa.select(Pact.id).where(Pact.title == TITLE)) is not None:
        return
    users = ctx["users"]
    d = {key.split(":", 1)[1]: user for key, user in users.items() if key.startswith("delegate:")}
    pact = import_pact(session, users["chair"], TITLE, DRAFT)
    clauses = clauses_of(pact)
    for clause in clauses:
        set_endorsement(session, d["cna"], clause, "endorse")
        set_endorsement(session, d["legacoop"], clause, "endorse")
    set_endorsement(session, d["cgil"], clauses[1], "endorse")
    set_endorsement(session, d["confartigianato"], clauses[1], "reservation",
                    "D'accordo sul principio; la clausola sociale va calibrata per le micro imprese.")
    set_endorsement(session, d["santerno"], clauses[5], "oppose",
                    "Anche su aree dismesse la logistica porta traffico pesante in vallata.")
    freeze_version(session, users["chair"], pact)
    for key in ("cna", "legacoop", "unibo"):
        sign_pact(session, d[key], pact, 1, "Aderiamo al Patto e ai suoi impegni.")
    ctx["pact"] = pact
