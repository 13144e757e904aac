"""Everyday requests answered in kind, the first things a chat UI is tried with: a greeting, thanks or goodbye
gets its reply; "list 5 fruits" / "name three planets" a numbered list of that many (from small tables); a text
to summarise its opening sentences; a common phrase to translate into French, Spanish, German, Italian or
Portuguese its translation (also asked inside a longer message). Everything else is left to the other answers
(None). For standing instructions (`instructions.py`): a whole message translated (phrases, else a word-for-word
gloss), and small talk, a translation's answer and an opening about a topic worded in one of those languages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

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
    kind = small_talk_kind(question, words)
    return None if kind is None else _SMALL_TALK[kind][1]


def small_talk_kind(question: str, words: Sequence[str]) -> str | None:
    """Which small talk the message is ("greeting", "how_are_you", "thanks", "goodbye", "who"), or None."""
    if len(question) > SMALL_TALK_LENGTH or not words:
        return None
    first = words[0]
    if first not in _OPENERS and first not in _PARTINGS and (first not in _OPENERS_TO_YOU or "you" not in words):
        return None
    said = _compiled(_SMALL_TALK_PATTERN).fullmatch(question)
    return None if said is None else said.lastgroup


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

# Each entry: its French, Spanish, German, Italian and Portuguese (Brazilian), in the order of `LANGUAGES`.
_PHRASES = {
    "hello": ("Bonjour", "Hola", "Hallo", "Ciao", "Olá"),
    "hi": ("Salut", "Hola", "Hallo", "Ciao", "Oi"),
    "good morning": ("Bonjour", "Buenos días", "Guten Morgen", "Buongiorno", "Bom dia"),
    "good afternoon": ("Bon après-midi", "Buenas tardes", "Guten Tag", "Buon pomeriggio", "Boa tarde"),
    "good evening": ("Bonsoir", "Buenas noches", "Guten Abend", "Buonasera", "Boa noite"),
    "good night": ("Bonne nuit", "Buenas noches", "Gute Nacht", "Buonanotte", "Boa noite"),
    "goodbye": ("Au revoir", "Adiós", "Auf Wiedersehen", "Arrivederci", "Adeus"),
    "see you later": ("À plus tard", "Hasta luego", "Bis später", "A dopo", "Até logo"),
    "thank you": ("Merci", "Gracias", "Danke", "Grazie", "Obrigado"),
    "thank you very much": ("Merci beaucoup", "Muchas gracias", "Vielen Dank", "Grazie mille", "Muito obrigado"),
    "please": ("S'il vous plaît", "Por favor", "Bitte", "Per favore", "Por favor"),
    "excuse me": ("Excusez-moi", "Disculpe", "Entschuldigung", "Mi scusi", "Com licença"),
    "sorry": ("Désolé", "Lo siento", "Entschuldigung", "Mi dispiace", "Desculpe"),
    "yes": ("Oui", "Sí", "Ja", "Sì", "Sim"),
    "no": ("Non", "No", "Nein", "No", "Não"),
    "how are you": ("Comment allez-vous ?", "¿Cómo estás?", "Wie geht es dir?", "Come stai?", "Como você está?"),
    "nice to meet you": ("Enchanté", "Mucho gusto", "Freut mich", "Piacere", "Prazer em conhecer você"),
    "what is your name": (
        "Comment vous appelez-vous ?",
        "¿Cómo te llamas?",
        "Wie heißt du?",
        "Come ti chiami?",
        "Qual é o seu nome?",
    ),
    "my name is": ("Je m'appelle", "Me llamo", "Ich heiße", "Mi chiamo", "Meu nome é"),
    "i love you": ("Je t'aime", "Te quiero", "Ich liebe dich", "Ti amo", "Eu te amo"),
    "happy birthday": (
        "Joyeux anniversaire",
        "Feliz cumpleaños",
        "Alles Gute zum Geburtstag",
        "Buon compleanno",
        "Feliz aniversário",
    ),
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
# The commonest words, one each, for a message the phrases do not cover: a word-for-word gloss (no grammar).
_LEXICON_TEXT = """
i: je|yo|ich|io|eu
i'm: je suis|estoy|ich bin|sono|estou
you: tu|tú|du|tu|você
he: il|él|er|lui|ele
she: elle|ella|sie|lei|ela
it: ça|eso|es|esso|isso
it's: c'est|es|es ist|è|é
we: nous|nosotros|wir|noi|nós
they: ils|ellos|sie|loro|eles
my: mon|mi|mein|mio|meu
your: ton|tu|dein|tuo|seu
the: le|el|der|il|o
a: un|un|ein|un|um
an: un|un|ein|un|um
and: et|y|und|e|e
or: ou|o|oder|o|ou
but: mais|pero|aber|ma|mas
not: pas|no|nicht|non|não
don't: ne pas|no|nicht|non|não
is: est|es|ist|è|é
are: sont|son|sind|sono|são
am: suis|soy|bin|sono|sou
was: était|era|war|era|era
have: ai|tengo|habe|ho|tenho
has: a|tiene|hat|ha|tem
with: avec|con|mit|con|com
without: sans|sin|ohne|senza|sem
for: pour|para|für|per|para
in: dans|en|in|in|em
on: sur|en|auf|su|em
of: de|de|von|di|de
to: à|a|zu|a|para
from: de|de|von|da|de
this: ce|este|dieser|questo|este
that: cela|eso|das|quello|isso
what: quoi|qué|was|cosa|o que
where: où|dónde|wo|dove|onde
when: quand|cuándo|wann|quando|quando
why: pourquoi|por qué|warum|perché|por que
how: comment|cómo|wie|come|como
who: qui|quién|wer|chi|quem
good: bon|bueno|gut|buono|bom
bad: mauvais|malo|schlecht|cattivo|ruim
big: grand|grande|groß|grande|grande
small: petit|pequeño|klein|piccolo|pequeno
new: nouveau|nuevo|neu|nuovo|novo
old: vieux|viejo|alt|vecchio|velho
beautiful: beau|hermoso|schön|bello|bonito
happy: heureux|feliz|glücklich|felice|feliz
nice: agréable|agradable|schön|bello|legal
day: jour|día|Tag|giorno|dia
night: nuit|noche|Nacht|notte|noite
morning: matin|mañana|Morgen|mattina|manhã
evening: soir|tarde|Abend|sera|noite
today: aujourd'hui|hoy|heute|oggi|hoje
tomorrow: demain|mañana|morgen|domani|amanhã
yesterday: hier|ayer|gestern|ieri|ontem
now: maintenant|ahora|jetzt|adesso|agora
here: ici|aquí|hier|qui|aqui
there: là|allí|dort|lì|lá
friend: ami|amigo|Freund|amico|amigo
friends: amis|amigos|Freunde|amici|amigos
family: famille|familia|Familie|famiglia|família
house: maison|casa|Haus|casa|casa
home: maison|casa|Zuhause|casa|casa
water: eau|agua|Wasser|acqua|água
food: nourriture|comida|Essen|cibo|comida
coffee: café|café|Kaffee|caffè|café
time: temps|tiempo|Zeit|tempo|tempo
world: monde|mundo|Welt|mondo|mundo
people: gens|gente|Leute|gente|pessoas
work: travail|trabajo|Arbeit|lavoro|trabalho
city: ville|ciudad|Stadt|città|cidade
weather: temps|tiempo|Wetter|tempo|tempo
name: nom|nombre|Name|nome|nome
book: livre|libro|Buch|libro|livro
cat: chat|gato|Katze|gatto|gato
dog: chien|perro|Hund|cane|cachorro
love: amour|amor|Liebe|amore|amor
want: veux|quiero|will|voglio|quero
need: besoin|necesito|brauche|bisogno|preciso
go: aller|ir|gehen|andare|ir
eat: manger|comer|essen|mangiare|comer
drink: boire|beber|trinken|bere|beber
see: voir|ver|sehen|vedere|ver
know: sais|sé|weiß|so|sei
can: peux|puedo|kann|posso|posso
help: aide|ayuda|Hilfe|aiuto|ajuda
thanks: merci|gracias|danke|grazie|obrigado
very: très|muy|sehr|molto|muito
much: beaucoup|mucho|viel|molto|muito
more: plus|más|mehr|più|mais
all: tout|todo|alle|tutto|tudo
"""
LANGUAGES = ("french", "spanish", "german", "italian", "portuguese")
_LANGUAGES_SET = frozenset(LANGUAGES)
_TRANSLATE_ASKED = (
    r"(?:^|[,.;:!?]\s*|\b(?:and|so|but)\s+)(?:please\s+)?(?:(?:can|could) you\s+)?(?:translate|how (?:do|would|can) "
    r"(?:you|i|we) say|what is|what's)\s+[\"'“]?([a-z ,']+?)[\"'”]?\s+(?:in|into|to)\s+"
    r"(french|spanish|german|italian|portuguese)\b(?:[ .?!]*$|[.?!]\s)"
)


class Translation(NamedTuple):
    phrase: str  # what was asked, as asked ("good evening")
    language: str  # "french"
    said: str  # its translation ("Bonsoir")


@cache
def _lexicon() -> dict[str, tuple[str, ...]]:
    rows = (line.split(": ", 1) for line in _LEXICON_TEXT.strip().splitlines())
    return {english: tuple(said.split("|")) for english, said in rows}


def _known(words: Sequence[str], language: str) -> str | None:
    """The words' translation when the phrases (the whole) or the lexicon (each word) know it, else None."""
    index = LANGUAGES.index(language)
    whole = " ".join(words)
    if whole in _PHRASES:
        return _PHRASES[whole][index].strip(" ¿¡?!")
    if all(word in _lexicon() for word in words):
        return " ".join(_lexicon()[word][index] for word in words)
    return None


def translation_asked(question: str) -> Translation | None:
    """The phrase a message asks to have translated ("Hello, how do I say good evening in French?"), when the
    phrases or the lexicon know it, or None."""
    asked = _compiled(_TRANSLATE_ASKED).search(question.lower())
    if asked is None:
        return None
    phrase = asked[1].strip(" ,'")
    said = _known(phrase.split(), asked[2])
    return None if said is None or not phrase else Translation(phrase, asked[2], said)


def _translation(question: str) -> str | None:
    asked = translation_asked(question)
    if asked is None:
        return None
    return f'"{asked.phrase.capitalize()}" in {asked.language.capitalize()} is "{asked.said}".'


def _glossed(clause: str, index: int) -> str:
    """A clause in the language: the longest known phrases first, then word for word; unknown words (names,
    numbers, terms) stay as they are."""
    words = re.findall(r"[\w'’-]+", clause)
    lowered = [word.lower().replace("’", "'") for word in words]
    out: list[str] = []
    at = 0
    while at < len(words):
        for size in range(min(5, len(words) - at), 0, -1):
            key = " ".join(lowered[at : at + size])
            said = _PHRASES.get(key) or (_lexicon().get(key) if size == 1 else None)
            if said is not None:
                word = said[index].strip(" ¿¡?!")
                if out and LANGUAGES[index] != "german":  # (German writes its nouns capitalised)
                    word = word[:1].lower() + word[1:]
                out.append(word)
                at += size
                break
        else:
            out.append(words[at])
            at += 1
    return " ".join(out)


def translated(message: str, language: str) -> str:
    """The whole message in the language, sentence by sentence, keeping its punctuation the language's way (Spanish
    opens its questions and exclamations, French spaces before ! and ?)."""
    index = LANGUAGES.index(language)
    sentences = []
    for body, stop in _compiled(r"([^.!?]+)([.!?]*)").findall(" ".join(message.split())):
        clauses = [_glossed(clause, index) for clause in body.split(",") if clause.strip()]
        if not clauses:
            continue
        if language != "german":  # a clause after a comma goes on in lower case
            clauses[1:] = [clause[:1].lower() + clause[1:] for clause in clauses[1:]]
        mark = stop[:1]
        if language == "spanish" and mark in ("?", "!"):  # "Hola, ¿cómo estás?", "¡Hola, mundo!"
            opened = len(clauses) - 1 if mark == "?" else 0
            clauses[opened] = {"?": "¿", "!": "¡"}[mark] + clauses[opened]
        if language == "french" and mark in ("?", "!"):
            mark = " " + mark
        sentence = ", ".join(clauses) + mark
        first = next((i for i, c in enumerate(sentence) if c.isalpha()), 0)
        sentences.append(sentence[:first] + sentence[first : first + 1].upper() + sentence[first + 1 :])
    return " ".join(sentences)


# --------------------------------------------------------------------------------------------- in another language

# What an agent told to answer in a language says, where the mock has no words of its own in it: small talk's
# replies, a translation answered, an opening about the topic (the topic stays as the user wrote it).
_REPLIES = {
    "greeting": (
        "Bonjour ! Comment puis-je vous aider aujourd'hui ?",
        "¡Hola! ¿En qué puedo ayudarte hoy?",
        "Hallo! Wie kann ich Ihnen heute helfen?",
        "Ciao! Come posso aiutarti oggi?",
        "Olá! Como posso ajudar você hoje?",
    ),
    "how_are_you": (
        "Je vais bien, merci de demander ! Comment puis-je vous aider ?",
        "¡Estoy bien, gracias por preguntar! ¿En qué puedo ayudarte?",
        "Mir geht es gut, danke der Nachfrage! Wie kann ich helfen?",
        "Sto bene, grazie per averlo chiesto! Come posso aiutarti?",
        "Estou bem, obrigado por perguntar! Como posso ajudar?",
    ),
    "thanks": (
        "Je vous en prie ! N'hésitez pas si vous avez d'autres questions.",
        "¡De nada! Avísame si necesitas algo más.",
        "Gern geschehen! Sagen Sie Bescheid, wenn ich noch helfen kann.",
        "Prego! Fammi sapere se hai bisogno d'altro.",
        "De nada! Avise se precisar de mais alguma coisa.",
    ),
    "goodbye": (
        "Au revoir ! Bonne journée.",
        "¡Adiós! Que tengas un buen día.",
        "Auf Wiedersehen! Einen schönen Tag noch.",
        "Arrivederci! Buona giornata.",
        "Tchau! Tenha um ótimo dia.",
    ),
    "who": (
        "Je suis un assistant IA : je réponds à vos questions et je vous aide à écrire ou à coder.",
        "Soy un asistente de IA: respondo preguntas y te ayudo a escribir o programar.",
        "Ich bin ein KI-Assistent: Ich beantworte Fragen und helfe beim Schreiben und Programmieren.",
        "Sono un assistente IA: rispondo alle domande e ti aiuto a scrivere o programmare.",
        "Sou um assistente de IA: respondo perguntas e ajudo a escrever ou programar.",
    ),
}
_ABOUT = (
    "Bien sûr ! Voici l'essentiel sur « {topic} » : c'est plus simple qu'il n'y paraît. Commencez par les bases, "
    "puis avancez pas à pas.",
    "¡Claro! Esto es lo esencial sobre «{topic}»: es más sencillo de lo que parece. Empieza por lo básico y avanza "
    "paso a paso.",
    "Gern! Das Wichtigste zu „{topic}“: Es ist einfacher, als es scheint. Beginnen Sie mit den Grundlagen und gehen "
    "Sie Schritt für Schritt vor.",
    "Certo! Ecco l'essenziale su «{topic}»: è più semplice di quanto sembri. Parti dalle basi e procedi passo dopo "
    "passo.",
    "Claro! Aqui está o essencial sobre “{topic}”: é mais simples do que parece. Comece pelo básico e avance passo "
    "a passo.",
)
_SAID_AS = (
    "« {phrase} » se dit « {said} » en {language}.",
    "«{phrase}» se dice «{said}» en {language}.",
    "„{phrase}“ heißt auf {language} „{said}“.",
    "«{phrase}» si dice «{said}» in {language}.",
    "“{phrase}” em {language} é “{said}”.",
)
# Each language's names for the five, in the order of `LANGUAGES`.
_NAMES = (
    ("français", "espagnol", "allemand", "italien", "portugais"),
    ("francés", "español", "alemán", "italiano", "portugués"),
    ("Französisch", "Spanisch", "Deutsch", "Italienisch", "Portugiesisch"),
    ("francese", "spagnolo", "tedesco", "italiano", "portoghese"),
    ("francês", "espanhol", "alemão", "italiano", "português"),
)


def small_talk_in(language: str, kind: str) -> str:
    """Small talk's reply (`small_talk_kind`) in the language."""
    return _REPLIES[kind][LANGUAGES.index(language)]


def translation_in(language: str, asked: Translation) -> str:
    """A translation's answer worded in the language the agent speaks."""
    index = LANGUAGES.index(language)
    name = _NAMES[index][LANGUAGES.index(asked.language)]
    return _SAID_AS[index].format(phrase=asked.phrase.capitalize(), said=asked.said, language=name)


def about_in(language: str, topic: str) -> str:
    """An opening about the topic in the language (the topic as the user wrote it)."""
    return _ABOUT[LANGUAGES.index(language)].format(topic=topic)


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
    if not _LANGUAGES_SET.isdisjoint(words) and (answer := _translation(question)) is not None:
        return answer
    return _summary(question) if words and words[0] in _SUMMARY_OPENERS else None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # Compiled on first use: a cold start that never meets these requests does not pay for them.
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)
