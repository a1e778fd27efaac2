"""The Scryfall card object as the loader reads it: msgspec structs for both bulk schemas."""
from __future__ import annotations

from typing import Annotated, Any

import msgspec

# The fields of a Scryfall card object we read, typed: msgspec decodes a line straight into these
# (skipping every other field) and checks the types in C as it goes, so a malformed card is refused
# with the path of the offending value. Both schemas fit: the older one simply leaves some unset.
# gc=False: these structs never take part in reference cycles, so the cyclic GC need not track them.
Int32 = Annotated[int, msgspec.Meta(ge=-2**31, le=2**31 - 1)]


class ScryfallFace(msgspec.Struct, gc=False):
    name: str | None = None
    printed_name: str | None = None
    mana_cost: str | None = None
    type_line: str | None = None
    printed_type_line: str | None = None
    oracle_text: str | None = None
    printed_text: str | None = None
    flavor_text: str | None = None
    artist: str | None = None
    illustration_id: str | None = None
    image_uris: dict[str, Any] | None = None
    power: str | None = None
    toughness: str | None = None
    loyalty: str | None = None
    defense: str | None = None
    colors: list[str] | None = None
    oracle_id: str | None = None
    cmc: float | None = None


class ScryfallCard(msgspec.Struct, gc=False):
    id: str
    name: str
    layout: str
    rarity: str
    collector_number: str
    set: str
    oracle_id: str | None = None
    lang: str | None = None
    released_at: str | None = None
    mana_cost: str | None = None
    cmc: float | None = None
    type_line: str | None = None
    oracle_text: str | None = None
    power: str | None = None
    toughness: str | None = None
    loyalty: str | None = None
    defense: str | None = None
    colors: list[str] | None = None
    color_identity: list[str] | None = None
    color_indicator: list[str] | None = None
    keywords: list[str] | None = None
    produced_mana: list[str] | None = None
    legalities: dict[str, Any] | None = None
    reserved: bool | None = None
    edhrec_rank: Int32 | None = None
    card_faces: list[ScryfallFace] | None = None
    printed_name: str | None = None
    printed_type_line: str | None = None
    printed_text: str | None = None
    flavor_text: str | None = None
    artist: str | None = None
    artist_ids: list[str] | None = None
    illustration_id: str | None = None
    border_color: str | None = None
    frame: str | None = None
    frame_effects: list[str] | None = None
    frame_effect: str | None = None          # older schema: one string
    security_stamp: str | None = None
    finishes: list[str] | None = None
    foil: bool | None = None                 # older schema, instead of finishes
    nonfoil: bool | None = None
    games: list[str] | None = None
    full_art: bool | None = None
    textless: bool | None = None
    promo: bool | None = None
    promo_types: list[str] | None = None
    reprint: bool | None = None
    variation: bool | None = None
    digital: bool | None = None
    booster: bool | None = None
    oversized: bool | None = None
    image_status: str | None = None
    image_uris: dict[str, Any] | None = None
    multiverse_ids: list[Int32] | None = None
    mtgo_id: Int32 | None = None
    mtgo_foil_id: Int32 | None = None
    arena_id: Int32 | None = None
    tcgplayer_id: Int32 | None = None
    tcgplayer_etched_id: Int32 | None = None
    cardmarket_id: Int32 | None = None
    scryfall_uri: str | None = None
    watermark: str | None = None
    highres_image: bool | None = None
    story_spotlight: bool | None = None
    preview: dict[str, Any] | None = None
    penny_rank: Int32 | None = None
    prices: dict[str, Any] | None = None
    set_id: str | None = None
    set_name: str | None = None
    set_type: str | None = None


CARD_DECODER = msgspec.json.Decoder(ScryfallCard)


def validation_reason(exc: msgspec.ValidationError) -> str:
    """msgspec's "Expected `str`, got `int` - at `$.name`" as "field 'name': expected `str`, got `int`"."""
    message, _, path = str(exc).partition(" - at `$")
    path = path.rstrip("`").lstrip(".")
    if message.startswith("Object missing required field `"):
        missing = message.split("`")[1]
        return f"required field {(path + '.' if path else '') + missing!r} is missing"
    message = message[:1].lower() + message[1:]
    return f"field {path!r}: {message}" if path else f"card: {message}"
