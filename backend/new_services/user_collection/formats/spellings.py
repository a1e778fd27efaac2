"""How each app spells the values it writes (conditions, finishes, languages): the writer's vocabulary.

Reading does not use these (values.py accepts every app's spelling); a test checks that each spelling
here reads back to the value it was written for, so export -> import is lossless where the app is.
An app without an etched spelling we could confirm writes its foil word for etched cards: the
TCGplayer product id (a separate product for etched cards) still tells them apart there.
"""
from __future__ import annotations

# Condition spellings: canonical grade -> the app's word.
CONDITION_WORDS = {"NM": "Near Mint", "LP": "Lightly Played", "MP": "Moderately Played",
                   "HP": "Heavily Played", "DMG": "Damaged"}
CONDITION_MANABOX = {"NM": "near_mint", "LP": "lightly_played", "MP": "moderately_played",
                     "HP": "heavily_played", "DMG": "damaged"}
CONDITION_DECKBOX = {"NM": "Near Mint", "LP": "Good (Lightly Played)", "MP": "Played",
                     "HP": "Heavily Played", "DMG": "Poor"}
CONDITION_ABBREVIATED = {"NM": "NM", "LP": "LP", "MP": "MP", "HP": "HP", "DMG": "D"}
CONDITION_DRAGONSHIELD = {"NM": "NearMint", "LP": "LightlyPlayed", "MP": "ModeratelyPlayed",
                          "HP": "HeavilyPlayed", "DMG": "Damaged"}

# Finish spellings: canonical finish -> the app's word.
FINISH_MANABOX = {"nonfoil": "normal", "foil": "foil", "etched": "etched"}
FINISH_MOXFIELD = {"nonfoil": "", "foil": "foil", "etched": "etched"}
FINISH_ARCHIDEKT = {"nonfoil": "Normal", "foil": "Foil", "etched": "Etched"}
FINISH_FOIL_WORD = {"nonfoil": "", "foil": "foil", "etched": "foil"}
FINISH_PRINTING = {"nonfoil": "Normal", "foil": "Foil", "etched": "Foil"}
FINISH_BOOLEAN = {"nonfoil": "False", "foil": "True", "etched": "True"}

# Language spellings: Scryfall code -> the app's word (apps that write codes need no table).
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "ja": "Japanese", "ko": "Korean", "ru": "Russian",
    "zhs": "Chinese Simplified", "zht": "Chinese Traditional", "he": "Hebrew", "la": "Latin",
    "grc": "Ancient Greek", "ar": "Arabic", "sa": "Sanskrit", "ph": "Phyrexian", "qya": "Quenya",
}
LANGUAGE_TCGPLAYER = {**LANGUAGE_NAMES, "zhs": "Chinese (S)", "zht": "Chinese (T)"}
LANGUAGE_DECKBOX = {**LANGUAGE_NAMES, "zhs": "Chinese", "zht": "Traditional Chinese"}

# Which finishes a format's file keeps apart (the round-trip contract; see FIELD_SUPPORT).
ALL_FINISHES = frozenset({"nonfoil", "foil", "etched"})
NO_ETCHED = frozenset({"nonfoil", "foil"})
