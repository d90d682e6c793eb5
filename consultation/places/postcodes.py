"""UK postcodes: a postcode is not a city, but it says the country, and its area often says the
town. Areas that span several towns are not guessed: the client is asked for the town."""

from __future__ import annotations

import re

_POSTCODE = re.compile(r"\b([A-Z]{1,2})(\d[A-Z\d]?)(?:\s*(\d[A-Z]{2}))?\b", re.IGNORECASE)
# Postcode areas named after one town (the post town of the whole area). London's districts
# are all London.
_AREA_TOWNS: dict[str, str] = {
    **dict.fromkeys(("E", "EC", "N", "NW", "SE", "SW", "W", "WC"), "London"),
    "AB": "Aberdeen", "AL": "St Albans", "B": "Birmingham", "BA": "Bath", "BB": "Blackburn",
    "BD": "Bradford",
    "BH": "Bournemouth", "BL": "Bolton", "BN": "Brighton", "BR": "Bromley", "BS": "Bristol",
    "BT": "Belfast", "CA": "Carlisle", "CB": "Cambridge", "CF": "Cardiff", "CH": "Chester",
    "CM": "Chelmsford", "CO": "Colchester", "CR": "Croydon", "CT": "Canterbury",
    "CV": "Coventry", "CW": "Crewe", "DA": "Dartford", "DD": "Dundee", "DE": "Derby",
    "DH": "Durham",
    "DL": "Darlington", "DN": "Doncaster", "DT": "Dorchester", "DY": "Dudley",
    "EH": "Edinburgh", "EN": "Enfield", "EX": "Exeter", "FK": "Falkirk", "FY": "Blackpool",
    "G": "Glasgow",
    "GL": "Gloucester", "GU": "Guildford", "HA": "Harrow", "HD": "Huddersfield",
    "HG": "Harrogate", "HP": "Hemel Hempstead", "HR": "Hereford", "HU": "Hull",
    "HX": "Halifax", "IG": "Ilford", "IP": "Ipswich", "IV": "Inverness", "KA": "Kilmarnock",
    "KT": "Kingston upon Thames", "KY": "Kirkcaldy", "L": "Liverpool", "LA": "Lancaster",
    "LE": "Leicester", "LN": "Lincoln", "LS": "Leeds", "LU": "Luton", "M": "Manchester",
    "ME": "Rochester", "MK": "Milton Keynes", "NE": "Newcastle upon Tyne",
    "NG": "Nottingham", "NN": "Northampton", "NP": "Newport", "NR": "Norwich",
    "OL": "Oldham", "OX": "Oxford", "PA": "Paisley", "PE": "Peterborough", "PH": "Perth",
    "PL": "Plymouth", "PO": "Portsmouth", "PR": "Preston", "RG": "Reading", "RH": "Redhill",
    "RM": "Romford", "S": "Sheffield", "SA": "Swansea", "SG": "Stevenage", "SK": "Stockport",
    "SL": "Slough", "SM": "Sutton", "SN": "Swindon", "SO": "Southampton", "SP": "Salisbury",
    "SR": "Sunderland", "SS": "Southend-on-Sea", "ST": "Stoke-on-Trent", "SY": "Shrewsbury",
    "TA": "Taunton", "TF": "Telford", "TN": "Tonbridge", "TQ": "Torquay", "TR": "Truro",
    "TS": "Middlesbrough", "TW": "Twickenham", "UB": "Southall", "WA": "Warrington",
    "WD": "Watford", "WF": "Wakefield", "WN": "Wigan", "WR": "Worcester", "WS": "Walsall",
    "WV": "Wolverhampton", "YO": "York",
}  # fmt: skip
# Areas whose towns are too many or too far apart to name from the area alone (every UK postcode
# area, and those of the Crown Dependencies, is in one of the two tables).
_ASK_AREAS = frozenset({"GY", "HS", "IM", "JE", "KW", "LD", "LL", "ML", "DG", "TD", "ZE"})


def postcode_in(text: str) -> tuple[str, str | None] | None:
    """(the postcode, its town or None) when `text` holds a full UK postcode ("LS1 4AP") or an
    outward code typed in capitals ("LS1"), else None."""
    for match in _POSTCODE.finditer(text):
        area, district, inward = match.group(1).upper(), match.group(2), match.group(3)
        outward = f"{area}{district}".upper()
        if not inward and outward != match.group(0).strip():
            continue  # "b12" in lower case, with no inward part, is too likely a word or typo
        if area not in _AREA_TOWNS and area not in _ASK_AREAS:
            continue
        code = f"{outward} {inward.upper()}" if inward else outward
        return code, _AREA_TOWNS.get(area)
    return None
