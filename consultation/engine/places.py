"""Asking back about a place before it is stored (issue 13): a city name several places share
("Paris — France or Texas, United States?"), or a country, region or postcode given where the
city was asked. What the client said is kept; only what is missing is asked."""

from __future__ import annotations

from consultation import outbound
from consultation.location import Location, PlaceQuestion, is_nowhere, read_place
from consultation.places import cities_named, country_named, postcode_in
from consultation.places.data import key
from consultation.reply import Reply


def asked_back(reply: Reply, answer: str) -> str | None:
    """The answer to store for the location question, or None after asking something back. A
    reply to a question back is completed with what was asked ("France" after "Paris — France
    or Texas?" is "Paris, France")."""
    lead = reply.lead
    pending = lead.parsed.get("place_asked")
    if isinstance(pending, str) and pending:
        chosen = _chosen(pending, answer)
        if chosen is not None:
            return chosen
    place = read_place(answer)
    known = lead.parsed.get("country")
    if lead.parsed.get("place_city_asked") and isinstance(known, str) and known:
        # The town asked for after a country or postcode: it is in that country.
        if is_nowhere(answer):
            return known
        if not (isinstance(place, Location) and place.country):
            return f"{answer}, {known}"
    if isinstance(place, PlaceQuestion):
        if pending == place.city:  # asked once already: the artist can ask better than a loop
            return answer
        lead.parsed["place_asked"] = place.city
        text = reply.say("place.which", city=place.city, options=place.options)
        reply.send(outbound.text("client", text, "place.which"))
        reply.event("lead.place_asked", kind="which")
        return None
    if not isinstance(place, Location) or place.city or lead.parsed.get("place_city_asked"):
        return answer
    # A country, a region or a postcode: keep it, and ask for the town once.
    lead.parsed["place_city_asked"] = True
    postcode = postcode_in(answer)
    if place.country:
        lead.parsed.update(country=place.country, region=place.region)
    elif place.region:
        lead.parsed["region"] = place.region
    if postcode:
        text = reply.say("place.postcode", postcode=postcode[0])
    else:
        text = reply.say("place.city_in", place=place.country or answer.strip(" .!?"))
    reply.send(outbound.text("client", text, "place.city_in"))
    reply.event("lead.place_asked", kind="city")
    return None


def _chosen(city: str, answer: str) -> str | None:
    """ "Paris, France" when `answer` picks one of the places called `city`, else None."""
    said = key(answer)
    words = said.split()
    country = country_named(answer) or next(
        (found for word in words if (found := country_named(word))), None
    )
    if not said:
        return None
    for choice in cities_named(city):
        names = {key(choice.country), key(choice.where), key(choice.state)} - {""}
        if choice.country == country or any(name in said for name in names):
            return f"{choice.name}, {choice.country}"
    return None
