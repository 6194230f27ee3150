"""Demo: proposals of the Nuovo Circondario Imolese table on the five priority axes.

Every step goes through the services (revisions, comments, amendments, supports, status moves),
so the demo's audit log reads like a real table's. Idempotent: a proposal whose title exists is skipped.
The positions attributed to organizations are fictional.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.deliberation.services import accept_amendment, add_comment, create_amendment, reject_amendment
from app.proposals.models import Proposal
from app.proposals.services import (
    as_subject, change_proposal_status, create_proposal, edit_proposal, support_proposal,
)

HUB_BODY = """Proponiamo di realizzare a Imola, nell'area produttiva di via Lasie, un **hub della logistica intermodale** al servizio delle imprese dei dieci comuni.

## Obiettivi
- spostare su ferro una parte delle merci che oggi viaggiano su gomma lungo la via Emilia e la A14;
- offrire alle piccole imprese spazi di magazzino condivisi e un servizio di consegna dell'ultimo miglio;
- ridurre il traffico pesante nei centri abitati.

## Prime azioni
1. Studio di fattibilità con RFI e Interporto di Bologna.
2. Ricognizione delle aree dismesse già urbanizzate, per non consumare nuovo suolo.
3. Tavolo con le associazioni di categoria sul modello di gestione."""

HUB_BODY_V2 = HUB_BODY.replace(
    "2. Ricognizione delle aree dismesse già urbanizzate, per non consumare nuovo suolo.",
    "2. Ricognizione delle aree dismesse già urbanizzate, per non consumare nuovo suolo: "
    "l'hub si insedia solo su aree già impermeabilizzate.",
)

HUB_AMENDMENT = HUB_BODY_V2 + """
4. Clausola sociale negli affidamenti: applicazione dei contratti nazionali di settore e tutela dell'occupazione esistente."""

CER_BODY = """Proponiamo che ogni comune della vallata promuova almeno una **comunità energetica rinnovabile** (CER), con impianti fotovoltaici sui tetti degli edifici pubblici.

- Il Nuovo Circondario coordina uno sportello tecnico unico per la costituzione delle CER.
- I benefici economici restano sul territorio e finanziano interventi di efficienza energetica.
- Si parte da Borgo Tossignano, Fontanelice e Casalfiumanese, dove i tetti pubblici sono già censiti."""

CER_AMENDMENT = CER_BODY + """
- Una quota dei benefici è destinata alle famiglie in povertà energetica, individuate con i servizi sociali e il volontariato."""

SUAP_BODY = """Un **sportello unico per le imprese** del Circondario, fisico e digitale, che accompagni chi apre, amplia o trasferisce un'attività.

- Un solo punto di accesso per le pratiche dei dieci comuni, con modulistica uniforme.
- Tempi certi: risposta alle istanze semplici entro 30 giorni.
- Un referente dedicato per le imprese artigiane e per le start-up del Campus di Imola."""

TAC_BODY = """Un servizio di **trasporto a chiamata** per la Valle del Santerno, che colleghi le frazioni di Castel del Rio, Fontanelice, Casalfiumanese e Borgo Tossignano con le fermate del trasporto pubblico e con l'ospedale di Imola.

- Prenotazione per telefono e con un'app, fino a un'ora prima.
- Mezzi accessibili alle persone con disabilità.
- Sperimentazione di due anni, con un monitoraggio pubblico delle corse."""

TAC_BODY_V2 = TAC_BODY.replace(
    "- Prenotazione per telefono e con un'app, fino a un'ora prima.",
    "- Prenotazione per telefono, con un'app e presso gli sportelli comunali, fino a un'ora prima.",
)

TAC_AMENDMENT = TAC_BODY_V2.replace("fino a un'ora prima", "fino a quindici minuti prima")

CDC_BODY = """Realizzare a Medicina una **Casa della comunità** che riunisca medici di medicina generale, pediatri, infermieri di comunità, consultorio e servizi sociali.

- Apertura dodici ore al giorno, sei giorni su sette.
- Un punto unico di accesso ai servizi sociosanitari per i comuni della pianura.
- Spazi per le associazioni di volontariato e per i gruppi di auto-aiuto."""

FORM_BODY = """Percorsi di **formazione tecnica superiore** progettati con il Campus di Imola e le imprese del territorio, per le figure che le aziende faticano a trovare (meccatronica, logistica, agroalimentare)."""


def _find(session: Any, title: str) -> Proposal | None:
    return session.scalar(sa.select(Proposal).where(Proposal.title == title))


def seed(session: Any, ctx: dict) -> None:
    users, axes = ctx["users"], ctx["axes"]
    chair = users["chair"]
    d = {key.split(":", 1)[1]: user for key, user in users.items() if key.startswith("delegate:")}
    proposals: dict[str, Proposal] = {}

    title = "Hub della logistica intermodale a Imola"
    if (hub := _find(session, title)) is None:
        hub = create_proposal(session, d["confartigianato"], title=title, body=HUB_BODY,
                              axis_id=axes["connessioni"].id, publish=True)
        subject = as_subject(hub)
        first = add_comment(session, d["cna"], subject, "Serve davvero: le nostre imprese pagano trasporti "
                            "più cari della media regionale.", alignment="for")
        add_comment(session, d["santerno"], subject, "Siamo contrari a nuovi capannoni in campagna: "
                    "prima si recuperino le aree dismesse.", alignment="against")
        add_comment(session, d["confartigianato"], subject, "D'accordo: abbiamo precisato nel testo che "
                    "l'hub sorge solo su aree già impermeabilizzate.", parent_id=first.id)
        edit_proposal(session, d["confartigianato"], hub, body=HUB_BODY_V2,
                      reason="Precisato che l'hub non consuma nuovo suolo, dopo le osservazioni del comitato.")
        add_comment(session, d["unibo"], subject, "Il Campus può contribuire allo studio dei flussi di merci.",
                    alignment="neutral")
        create_amendment(session, d["cgil"], subject, body=HUB_AMENDMENT,
                         reason="Chiediamo una clausola sociale: la logistica è un settore a forte rischio di "
                                "lavoro povero e di appalti al ribasso.")
        for key in ("confartigianato", "cna", "ascom"):
            support_proposal(session, d[key], hub)
    proposals["hub"] = hub

    title = "Comunità energetiche rinnovabili nei comuni della vallata"
    if (cer := _find(session, title)) is None:
        cer = create_proposal(session, d["legacoop"], title=title, body=CER_BODY,
                              axis_id=axes["sostenibilita"].id, publish=True)
        subject = as_subject(cer)
        add_comment(session, d["medicina"], subject, "Anche i comuni di pianura sono pronti a mettere a "
                    "disposizione i tetti delle scuole.", alignment="for")
        amendment = create_amendment(session, d["volabo"], subject, body=CER_AMENDMENT,
                                     reason="Le CER devono aiutare anzitutto chi fatica a pagare le bollette.")
        accept_amendment(session, chair, amendment, "Il tavolo ha condiviso l'emendamento nell'incontro di febbraio.")
        add_comment(session, d["ascom"], subject, "Bene, ma i tempi autorizzativi degli impianti vanno "
                    "chiariti prima di partire.", alignment="neutral")
        for key in ("legacoop", "volabo", "santerno", "medicina"):
            support_proposal(session, d[key], cer)
    proposals["cer"] = cer

    title = "Sportello unico per le imprese del Circondario"
    if (suap := _find(session, title)) is None:
        suap = create_proposal(session, d["cna"], title=title, body=SUAP_BODY,
                               axis_id=axes["sviluppo-economico"].id, publish=True)
        subject = as_subject(suap)
        add_comment(session, d["confartigianato"], subject, "Modulistica uniforme nei dieci comuni: "
                    "è la richiesta che sentiamo più spesso dai nostri associati.", alignment="for")
        add_comment(session, d["cisl"], subject, "Chiediamo che lo sportello informi anche sugli incentivi "
                    "all'assunzione stabile.", alignment="neutral")
        for key in ("cna", "confartigianato", "ascom"):
            support_proposal(session, d[key], suap)
        change_proposal_status(session, chair, suap, "voting", "Discussione conclusa nell'incontro di marzo.")
    proposals["suap"] = suap

    title = "Trasporto a chiamata per la Valle del Santerno"
    if (tac := _find(session, title)) is None:
        tac = create_proposal(session, d["santerno"], title=title, body=TAC_BODY,
                              axis_id=axes["valle-santerno"].id, publish=True)
        subject = as_subject(tac)
        add_comment(session, d["volabo"], subject, "Molti anziani delle frazioni oggi dipendono dai "
                    "volontari per andare alle visite.", alignment="for")
        edit_proposal(session, d["santerno"], tac, body=TAC_BODY_V2,
                      reason="Aggiunta la prenotazione agli sportelli comunali, per chi non usa lo smartphone.")
        add_comment(session, d["ascom"], subject, "I costi per corsa rischiano di essere alti: servono "
                    "stime prima di impegnarsi.", alignment="against")
        amendment = create_amendment(session, d["ascom"], subject, body=TAC_AMENDMENT,
                                     reason="Un preavviso più breve rende il servizio competitivo con l'auto.")
        reject_amendment(session, chair, amendment, "Il gestore del trasporto pubblico ritiene non sostenibile "
                                                    "un preavviso inferiore a un'ora; se ne riparlerà dopo la sperimentazione.")
        support_proposal(session, d["santerno"], tac)
        support_proposal(session, d["volabo"], tac)
    proposals["tac"] = tac

    title = "Casa della comunità a Medicina"
    if (cdc := _find(session, title)) is None:
        cdc = create_proposal(session, d["medicina"], title=title, body=CDC_BODY,
                              axis_id=axes["salute"].id, publish=True)
        subject = as_subject(cdc)
        add_comment(session, d["cgil"], subject, "Fondamentale per la pianura: oggi per molti servizi "
                    "bisogna andare a Imola.", alignment="for")
        add_comment(session, d["prolococsp"], subject, "Chiediamo che anche Castel San Pietro Terme abbia "
                    "un presidio analogo.", alignment="neutral")
        for key in ("medicina", "cgil", "volabo"):
            support_proposal(session, d[key], cdc)
        change_proposal_status(session, chair, cdc, "voting")
        change_proposal_status(session, chair, cdc, "accepted", "Approvata dal tavolo all'unanimità.")
    proposals["cdc"] = cdc

    title = "Formazione tecnica superiore con il Campus di Imola"
    if (form := _find(session, title)) is None:
        form = create_proposal(session, d["unibo"], title=title, body=FORM_BODY,
                               axis_id=axes["sviluppo-economico"].id)
    proposals["formazione"] = form

    ctx["proposals"] = proposals
