"""Everyday requests answered in kind, the first things a chat UI is tried with: a greeting, thanks or goodbye
gets its reply; "list 5 fruits" / "name three planets" a numbered list of that many (from small tables); a text
to summarise its opening sentences; a common phrase to translate into French, Spanish, German, Italian or
Portuguese its translation. Everything else is left to the other answers (None)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from openai_mock.generation import extract, facts

# --------------------------------------------------------------------------------------------- small talk

# A whole short message of small talk, and its reply (one pattern: its named group says which).
_SMALL_TALK = {
    "greeting": (
        r"(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day))(?: there| everyone| all)?",
        "Hello! How can I help you today?",
    ),
    "how_are_you": (
        r"(?:(?:hi|hello|hey),? )?how are you(?: doing)?(?: today)?",
        "I'm doing well, thank you for asking! How can I help you today?",
    ),
    "thanks": (
        r"(?:thanks|thank you|thx|ty|cheers)(?: (?:so|very) much| a lot| again)?"
        r"(?:,? that(?:'s| is| was) (?:great|helpful|perfect|awesome))?",
        "You're welcome! Let me know if there's anything else I can help with.",
    ),
    "goodbye": (r"(?:bye|goodbye|good night|see you(?: later)?|see ya)", "Goodbye! Have a great day."),
    "who": (
        r"(?:who|what) are you",
        "I'm an AI assistant. I can answer questions, help with writing and code, and more. How can I help you today?",
    ),
}
_SMALL_TALK_PATTERN = (
    r"[ !.?,:)(]*(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, (pattern, _) in _SMALL_TALK.items())
    + r")[ !.?,:)(]*"
)
SMALL_TALK_LENGTH = 60  # longer messages say more than hello
_OPENERS = frozenset({"hi", "hello", "hey", "hiya", "howdy", "greetings", "good", "thanks", "thank", "thx", "ty"})
_OPENERS_TO_YOU = frozenset({"how", "who", "what"})  # "how are you", "who are you"
_PARTINGS = frozenset({"cheers", "bye", "goodbye", "see"})


def small_talk(question: str, words: Sequence[str]) -> str | None:
    """The reply to a message that is only small talk ("Hello!", "thanks a lot", "bye"), or None. `words`: the
    message's words in lower case (its first word tells most messages apart before any pattern runs)."""
    if len(question) > SMALL_TALK_LENGTH or not words:
        return None
    first = words[0]
    if first not in _OPENERS and first not in _PARTINGS and (first not in _OPENERS_TO_YOU or "you" not in words):
        return None
    said = _compiled(_SMALL_TALK_PATTERN).fullmatch(question)
    return None if said is None or said.lastgroup is None else _SMALL_TALK[said.lastgroup][1]


# --------------------------------------------------------------------------------------------- lists

_LIST_ASKED = (
    r"^(?:please\s+)?(?:can you\s+|could you\s+)?(?:list|name|give me|tell me|what are|suggest|write down)\s+"
    r"(?:the\s+)?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:different\s+|common\s+|popular\s+|"
    r"famous\s+|good\s+|types of\s+|kinds of\s+)?([a-z][a-z -]*?)(?:\s+(for|to|about|on|in)\s+(.*?))?[.?!]*$"
)
_TABLES = {
    "fruits": "Apple Banana Orange Mango Strawberry Pineapple Grape Watermelon Peach Cherry",
    "vegetables": "Carrot Broccoli Spinach Potato Tomato Cucumber Onion Bell pepper Zucchini Cauliflower",
    "colors": "Red Blue Green Yellow Orange Purple Pink Brown Black White",
    "colours": "Red Blue Green Yellow Orange Purple Pink Brown Black White",
    "animals": "Dog Cat Elephant Lion Dolphin Eagle Horse Giraffe Penguin Tiger",
    "programming languages": "Python JavaScript Java C# C++ Go Rust TypeScript Ruby Kotlin",
    "sports": "Soccer Basketball Tennis Cricket Baseball Swimming Volleyball Golf Rugby Cycling",
    "musical instruments": "Piano Guitar Violin Drums Flute Trumpet Cello Saxophone Clarinet Harp",
    "instruments": "Piano Guitar Violin Drums Flute Trumpet Cello Saxophone Clarinet Harp",
    "birds": "Eagle Sparrow Robin Owl Parrot Penguin Flamingo Hummingbird Crow Swan",
}
_MULTI_WORD = {"Bell pepper"}  # table entries of two words (the tables are space-separated)


def _table(name: str) -> list[str] | None:
    if name in ("planets", "planets of the solar system", "planets in the solar system"):
        return [planet.name for planet in facts.PLANETS]
    if name in ("countries", "capitals", "capital cities"):
        chosen = ("France", "Japan", "Brazil", "Canada", "Kenya", "India", "Australia", "Germany", "Mexico", "Egypt")
        known = [facts.country(country) for country in chosen]
        if name == "countries":
            return [country.name for country in known if country is not None]
        return [f"{country.capital} ({country.name})" for country in known if country is not None]
    words = _TABLES.get(name)
    if words is None:
        return None
    for entry in _MULTI_WORD:
        words = words.replace(entry, entry.replace(" ", "_"))
    return [word.replace("_", " ") for word in words.split()]


# What a list of ideas, tips, ways or steps for a goal says: one line each, about the goal.
_IDEAS = (
    "Start with a clear goal for {goal} and write it down in one sentence.",
    "Make a short plan for {goal}: the first three steps, and who does what.",
    "Keep it simple: a small version of {goal} done well beats a big one half-finished.",
    "Ask the people involved in {goal} what matters most to them.",
    "Set a budget and a date for {goal}, and check both halfway through.",
    "Look at how others have approached {goal} and borrow what worked.",
    "Prepare the materials for {goal} a day early, so the day itself goes smoothly.",
    "Leave room for one surprise: a small, personal touch makes {goal} memorable.",
    "Review {goal} afterwards and note what to repeat and what to change.",
    "Share the results of {goal} with everyone who helped.",
)
_IDEA_WORDS = frozenset({"ideas", "tips", "ways", "steps", "suggestions", "reasons", "things", "options", "examples"})


def _listed(lowered: str) -> str | None:
    asked = _compiled(_LIST_ASKED).match(lowered)
    if asked is None:
        return None
    count = extract.NUMBER_WORDS.get(asked[1]) or int(asked[1])
    if not 1 <= count <= 10:
        return None
    kind, linked, goal = asked[2].strip(), asked[3], (asked[4] or "").strip()
    if not goal:
        items = _table(kind)
    elif kind.split()[-1] in _IDEA_WORDS:
        # "ideas for a birthday party" → "the birthday party"; "ways to stay focused" → "the effort to stay focused"
        named = re.sub(r"^(?:an?|the|my|our|your)\s+", "", goal)
        subject = f"the effort to {goal}" if linked == "to" else f"the {named}"
        items = [idea.replace("{goal}", subject) for idea in _IDEAS]
    else:
        items = None
    if items is None:
        return None
    return "\n".join(f"{index}. {item}" for index, item in enumerate(items[:count], start=1))


# --------------------------------------------------------------------------------------------- summaries

_SUMMARY_ASKED = (
    r"^(?:please\s+)?(?:summari[sz]e|sum up|tl;?dr|give me a summary of|write a summary of)\b[^:\n]*[:\n]\s*(.+)$"
)
# A sentence runs to its stop, or to the end of the text (a text with no stop is one sentence: read once, where a
# pattern that needed the stop tried again from every character, in time growing with the square of the length).
_SENTENCE = r"[^.!?]+(?:[.!?]+[\"')\]]*|$)"
_LONGEST_SUMMARY = 400  # characters: a summary is shorter than what it sums up


def _summary(question: str) -> str | None:
    asked = _compiled(_SUMMARY_ASKED).match(question)
    if asked is None:
        return None
    found = (sentence.strip() for sentence in _compiled(_SENTENCE).findall(" ".join(asked[1].split())))
    sentences = list(dict.fromkeys(found))  # each once
    if not sentences:
        return None
    kept = " ".join(sentences[:1] if len(sentences) <= 4 else sentences[:2])
    if len(kept) > _LONGEST_SUMMARY:  # cut at the last word that fits
        cut = kept.rfind(" ", 0, _LONGEST_SUMMARY)
        kept = kept[: cut if cut > 0 else _LONGEST_SUMMARY] + "…"
    return "In short: " + kept


# --------------------------------------------------------------------------------------------- translations

_PHRASES = {
    "hello": ("Bonjour", "Hola", "Hallo", "Ciao", "Olá"),
    "good morning": ("Bonjour", "Buenos días", "Guten Morgen", "Buongiorno", "Bom dia"),
    "good evening": ("Bonsoir", "Buenas noches", "Guten Abend", "Buonasera", "Boa noite"),
    "good night": ("Bonne nuit", "Buenas noches", "Gute Nacht", "Buonanotte", "Boa noite"),
    "goodbye": ("Au revoir", "Adiós", "Auf Wiedersehen", "Arrivederci", "Adeus"),
    "thank you": ("Merci", "Gracias", "Danke", "Grazie", "Obrigado"),
    "thank you very much": ("Merci beaucoup", "Muchas gracias", "Vielen Dank", "Grazie mille", "Muito obrigado"),
    "please": ("S'il vous plaît", "Por favor", "Bitte", "Per favore", "Por favor"),
    "yes": ("Oui", "Sí", "Ja", "Sì", "Sim"),
    "no": ("Non", "No", "Nein", "No", "Não"),
    "how are you": ("Comment allez-vous ?", "¿Cómo estás?", "Wie geht es dir?", "Come stai?", "Como você está?"),
    "i love you": ("Je t'aime", "Te quiero", "Ich liebe dich", "Ti amo", "Eu te amo"),
    "where is the bathroom": (
        "Où sont les toilettes ?",
        "¿Dónde está el baño?",
        "Wo ist die Toilette?",
        "Dov'è il bagno?",
        "Onde fica o banheiro?",
    ),
    "cheers": ("Santé !", "¡Salud!", "Prost!", "Salute!", "Saúde!"),
    "welcome": ("Bienvenue", "Bienvenido", "Willkommen", "Benvenuto", "Bem-vindo"),
}
_LANGUAGES = ("french", "spanish", "german", "italian", "portuguese")
_LANGUAGES_SET = frozenset(_LANGUAGES)
_TRANSLATE_ASKED = (
    r"^(?:please\s+)?(?:translate|how do (?:you|i) say|what is|what's)\s+[\"'“]?([a-z ,']+?)[\"'”]?\s+(?:in|into|to)\s+"
    r"(french|spanish|german|italian|portuguese)[.?!]*$"
)


def _translation(lowered: str) -> str | None:
    asked = _compiled(_TRANSLATE_ASKED).match(lowered)
    if asked is None:
        return None
    phrase = asked[1].strip(" ,'")
    known = _PHRASES.get(phrase)
    if known is None:
        return None
    return f'"{phrase.capitalize()}" in {asked[2].capitalize()} is "{known[_LANGUAGES.index(asked[2])]}".'


# --------------------------------------------------------------------------------------------- together

# What the first word of a list's, a summary's request is (a translation names its language).
_LIST_OPENERS = frozenset({"list", "name", "give", "tell", "what", "suggest", "write", "please", "can", "could"})
_SUMMARY_OPENERS = frozenset({"summarize", "summarise", "sum", "tl", "tldr", "give", "write", "please"})
# Words without which none of the lists, translations and summaries applies (with a digit, which lets a question
# through too: "list 5 fruits").
TRIGGERS = frozenset(
    {
        "list", "name", "suggest", "ideas", "tips", "ways", "examples", "suggestions", "summarize", "summarise",
        "summary", "sum", "tl", "tldr", "translate", "say", "french", "spanish", "german", "italian", "portuguese",
    }
)  # fmt: skip


def listing(question: str, words: Sequence[str]) -> str | None:
    """The numbered list the question (the last user message, stripped) asks for, or None. `words`: its words in
    lower case, whose first turns most questions away before the pattern runs."""
    return _listed(question.lower()) if words and words[0] in _LIST_OPENERS else None


def transformed(question: str, words: Sequence[str]) -> str | None:
    """The translation or the summary of a text the question gives, or None."""
    if not _LANGUAGES_SET.isdisjoint(words) and (translated := _translation(question.lower())) is not None:
        return translated
    return _summary(question) if words and words[0] in _SUMMARY_OPENERS else None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # Compiled on first use: a cold start that never meets these requests does not pay for them.
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)
