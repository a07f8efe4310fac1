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
