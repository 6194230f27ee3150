"""The pact's Markdown format: parse, export, parse again gives the same structure (no database)."""
import pytest

from app.core.errors import InvalidInput
from app.pact.models import Clause, Pact, PactSection
from app.pact.services import canonical_text, export_markdown, parse_markdown, sha256_hex

DRAFT = """# Lavoro e impresa

## Filiere locali

Il tavolo sostiene le filiere agroalimentari del Circondario.

Impegni:
- condividere i dati sulle imprese aderenti
- partecipare a due incontri l'anno

# Ambiente

## Mobilità sostenibile

Collegamenti ciclabili tra i dieci comuni.
"""


def _build(parsed):
    pact = Pact(title="Patto")
    number = 0
    for position, item in enumerate(parsed, start=1):
        section = PactSection(position=position, title=item["title"])
        for c in item["clauses"]:
            number += 1
            section.clauses.append(Clause(number=number, title=c["title"], body=c["body"],
                                          commitments="\n".join(c["commitments"])))
        pact.sections.append(section)
    return pact


def test_round_trip_import_export_import():
    first = parse_markdown(DRAFT)
    assert [s["title"] for s in first] == ["Lavoro e impresa", "Ambiente"]
    assert first[0]["clauses"][0]["commitments"] == ["condividere i dati sulle imprese aderenti",
                                                     "partecipare a due incontri l'anno"]
    again = parse_markdown(export_markdown(_build(first)))
    assert again == first


def test_canonical_hash_changes_with_the_text():
    pact = _build(parse_markdown(DRAFT))
    before = sha256_hex(canonical_text(pact))
    pact.sections[0].clauses[0].body += " Anche artigiane."
    assert sha256_hex(canonical_text(pact)) != before


@pytest.mark.parametrize("text,code", [
    ("## Senza sezione\n\nTesto", "clause_without_section"),
    ("# Sezione vuota\n", "no_clauses"),
    ("# S\n\n## Vuota\n\n# T\n\n## Piena\n\nTesto", "empty_clause"),
])
def test_bad_drafts_are_refused(text, code):
    with pytest.raises(InvalidInput) as error:
        parse_markdown(text)
    assert error.value.code == code
