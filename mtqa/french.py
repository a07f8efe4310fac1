"""French word lists for the source checks (:mod:`mtqa.sources`); stdlib only."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Élysée' → 'elysee'."""
    nfd = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in nfd if not unicodedata.combining(c)).replace("œ", "oe")


FR_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
EN_MONTHS = "January February March April May June July August September October November December"

FRENCH_WORDS = frozenset(
    """le la les de des du une et est sont avec dans sur qui que pas nous vous ils elles cette
    ces mais où ou été être avoir leur leurs aux selon entre depuis très aussi sans sous chez
    vers lors donc alors ainsi encore toujours déjà il elle ont avait était fait même tous
    toute toutes autre autres notre votre ses cet qu au contre après avant pendant
    lequel laquelle lesquels dont""".split()
)
ENGLISH_WITH_ACCENTS = frozenset(
    "café cafés régime régimes déjà protégé naïve naïveté fiancé fiancée résumé élite "
    "façade décor début débuts cliché rôle entrée détente communiqué coup".split()
)

# French forms whose English form differs beyond a spelling variant (folded → folded).
EXONYMS: dict[str, tuple[str, ...]] = {
    "allemagne": ("germany",),
    "angleterre": ("england",),
    "royaume-uni": ("uk", "u.k", "britain", "united kingdom"),
    "etats-unis": ("united states", "us", "u.s", "america"),
    "chine": ("china",),
    "japon": ("japan",),
    "espagne": ("spain",),
    "grece": ("greece",),
    "pologne": ("poland",),
    "suisse": ("switzerland", "swiss"),
    "belgique": ("belgium",),
    "pays-bas": ("netherlands",),
    "londres": ("london",),
    "moscou": ("moscow",),
    "pekin": ("beijing",),
    "bruxelles": ("brussels",),
    "geneve": ("geneva",),
    "varsovie": ("warsaw",),
    "vienne": ("vienna",),
    "kiev": ("kyiv", "kiev"),
    "maison-blanche": ("white house",),
    "onu": ("un", "u.n", "united nations"),
    "otan": ("nato",),
    "ue": ("eu", "european union"),
    "fmi": ("imf",),
    "oms": ("who",),
    "bce": ("ecb",),
    "ocde": ("oecd",),
    "omc": ("wto",),
    "pib": ("gdp",),
    "tva": ("vat",),
    "ong": ("ngo", "ngos"),
    "urss": ("ussr", "soviet union"),
    "etat": ("state",),
    "republique": ("republic",),
    "senat": ("senate",),
    "assemblee": ("assembly",),
    "parlement": ("parliament",),
    "conseil": ("council",),
    "gouvernement": ("government",),
    "premier": ("prime", "first"),
    "ministere": ("ministry",),
    "moyen-orient": ("middle east",),
    "proche-orient": ("middle east", "near east"),
    "europe": ("europe", "eu"),
    "mexique": ("mexico",),
    "bresil": ("brazil",),
    "inde": ("india",),
    "irak": ("iraq",),
    "liban": ("lebanon",),
    "maroc": ("morocco",),
    "algerie": ("algeria",),
    "tunisie": ("tunisia",),
    "egypte": ("egypt",),
    "turquie": ("turkey", "turkiye"),
    "coree": ("korea",),
    "nouvelle-zelande": ("new zealand",),
    "crimee": ("crimea",),
    "biélorussie": ("belarus",),
    "bielorussie": ("belarus",),
    "afrique": ("africa",),
    "amerique": ("america",),
    "affaires": ("affairs", "foreign"),
    "etrangeres": ("foreign",),
    "defense": ("defence", "defense"),
    "interieur": ("interior", "home"),
    "sante": ("health",),
    "finances": ("finance", "treasury"),
    "asie": ("asia",),
    "cisjordanie": ("west bank",),
}
# French ending → English ending ("Ukrainiens" → "Ukrainians", "Syrie" → "Syria").
SUFFIXES = (
    ("iennes", "ians"),
    ("iens", "ians"),
    ("ienne", "ian"),
    ("ien", "ian"),
    ("ique", "ic"),
    ("ique", "ica"),
    ("ie", "ia"),
    ("ie", "y"),
    ("es", "s"),
    ("e", ""),
    ("ais", "ese"),
    ("aise", "ese"),
    ("ois", "ese"),
)
FRENCH_STARTERS = frozenset(
    fold(w)
    for w in """le la les un une des ce cette ces cet il elle ils
    elles nous vous on je selon après avant pour dans en au aux du de mais et depuis lors
    cependant pourtant ainsi alors enfin déjà plus même tous toutes tout quand si sans sous sur
    par pendant dès face entre malgré leur leurs son sa ses notre votre mon ma mes lundi mardi
    mercredi jeudi vendredi samedi dimanche voici voilà oui non mme m aujourd hier demain
    certains certaines plusieurs chaque aucun aucune rien personne comme lorsque puis ensuite
    d'abord autre autres là ici encore toujours jamais environ près presque parmi chez contre
    vers toutefois néanmoins désormais aussi également ensuite outre or donc car cela ceci celui
    celle ceux quelque quelques nombre beaucoup peu moins très trop déjà bien""".split()
)

# --- lists for the target-side rule ``untranslated-french`` (:mod:`mtqa.rules`) ---------------
# Words that are French and (lower-case) not English: one alone is French left in the text.
FR_STRONG = frozenset(
    """selon dans avec sont ont leur leurs était étaient également toujours mais aussi cette
    être avoir lors donc alors ainsi même mêmes notre votre nos vos depuis très lequel laquelle
    lesquels lesquelles aujourd'hui hier demain où ça vous ils elles une cependant pourtant
    toutefois néanmoins désormais ensuite parmi malgré lorsque puisque quelques quelque
    plusieurs chaque aucun aucune beaucoup peut peuvent doit doivent avait avaient sera seront
    serait seraient fait faire dit été sommes êtes suis cela ceci celui celle ceux celles ici
    voici oui environ près moins peu bien très trop afin jusqu'à lundi mardi mercredi jeudi
    vendredi samedi dimanche janvier février juin juillet août septembre octobre novembre
    décembre avril deux trois quatre cinq huit neuf dix vingt trente quarante cinquante milliard
    milliards selon qu'il qu'elle qu'ils qu'on c'est n'est n'a s'est d'un d'une l'on avant et le la
    les des du aux""".split()
)
# French articles and particles that also open or join names ("de la Rosa", "Moët et Chandon",
# "Jardin des Plantes"): not French next to a capitalised word.
FR_PARTICLES = frozenset("de la le les des du et aux au d' l' di da van von der den".split())
# French function words that are also English words, names or loan-phrase parts: French only
# in a run of two or more ("de la", "et les"), never alone ("de Gaulle", "par", "pour").
FR_WEAK = frozenset(
    """de un est en au il elle qui que quoi pas ne ce ces cet se sa son
    ses mon ma mes ton ta tes nous pour par sur sous sans avant entre vers chez plus encore tous
    tout toute toutes autre autres à ou si non y""".split()
)
# Accented or French-looking words English has borrowed (lower-case, "’" written "'").
LOANWORDS = ENGLISH_WITH_ACCENTS | frozenset(
    """cafés clichés fiancés naïf élites façades décors débutante entrées communiqués soirée
    soirées matinée séance séances purée sauté sautéed flambé consommé crème brûlée crêpe crêpes
    pâté touché exposé exposés passé outré blasé risqué née émigré émigrés éclair éclairs éclat
    précis attaché attachés chargé gîte château châteaux fête fêtes fêted dénouement métier
    mêlée mélange cortège première premières répertoire élan ingénue habitué manqué pâtisserie
    voilà après-ski vis-à-vis tête-à-tête pied-à-terre papier-mâché rendez-vous avant-garde
    laissez-faire savoir-faire cul-de-sac lèse-majesté pot-au-feu doppelgänger façade's
    café's résumés régime's ménage arrêt cañon señor señora año jalapeño piñata über
    o'clock c'mon d'you s'more s'mores y'all ma'am ne'er e'er rosé rosés soufflé soufflés canapé
    canapés appliqué frappé glacé lamé plié jeté négligé négligée décolleté recherché olé
    sang-froid aide-mémoire bien-pensant pied-noir pieds-noirs chef-d'oeuvre laissez-passer
    porte-cochère éminence""".split()
)
# Phrases English has borrowed whole; their words are never flagged (matched case-insensitively).
LOAN_PHRASES = (
    "à la carte",
    "a la carte",
    "à la mode",
    "à la française",
    "déjà vu",
    "coup d'état",
    "coup d'etat",
    "coup de grâce",
    "coup de grace",
    "fait accompli",
    "raison d'être",
    "joie de vivre",
    "je ne sais quoi",
    "c'est la vie",
    "crème de la crème",
    "creme de la creme",
    "pièce de résistance",
    "objet d'art",
    "hors d'oeuvre",
    "hors d'œuvre",
    "hors de combat",
    "maître d'",
    "nom de guerre",
    "nom de plume",
    "mise en scène",
    "mise en place",
    "fin de siècle",
    "belle époque",
    "esprit de corps",
    "pas de deux",
    "cause célèbre",
    "art déco",
    "chargé d'affaires",
    "noblesse oblige",
    "mardi gras",
    "mot juste",
    "comme il faut",
    "à propos",
    "coup de théâtre",
    "tour d'horizon",
    "chef d'oeuvre",
    "chef d'œuvre",
    "tant pis",
    "savoir vivre",
    "raison d'état",
    "bête noire",
    "que sera sera",
    "succès de scandale",
    "tête à tête",
    "objet trouvé",
    "en famille",
    "en plein air",
    "plein air",
    "bien pensant",
    "du jour",
    "avant garde",
    "éminence grise",
    "savoir faire",
    "laissez faire",
    "en route",
    "en masse",
    "en bloc",
    "en suite",
    "en passant",
    "entre nous",
    "par excellence",
    "de rigueur",
    "de trop",
    "cri de coeur",
    "tour de force",
    "tour de france",
    "coup de foudre",
    "trompe l'oeil",
    "trompe-l'oeil",
    "idée fixe",
    "haute cuisine",
    "haute couture",
    "nouvelle cuisine",
    "nouvelle vague",
    "nouveau riche",
    "ancien régime",
    "plus ça change",
    "sauve qui peut",
    "qui vive",
    "bon mot",
    "bons mots",
    "bon vivant",
    "bon appétit",
    "au revoir",
    "au courant",
    "au fait",
    "au pair",
    "au naturel",
    "au contraire",
    "ménage à trois",
    "sans serif",
    "sous chef",
    "sous vide",
    "table d'hôte",
    "tout de suite",
    "tout court",
    "crème fraîche",
    "coq au vin",
    "café au lait",
    "pain au chocolat",
    "amour propre",
    "n'est-ce pas",
    "vive la",
    "son et lumière",
    "et al",
    "de facto",
    "de jure",
    "de novo",
    "per se",
    "sine qua non",
    "pro bono",
    "la la",
)
FRENCH_ACCENTS = "àâçéèêëîïôœùûÿ"
