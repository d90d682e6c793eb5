"""Place data the bot reads answers with: countries (pycountry and GeoNames, with native and
common names), cities (GeoNames, every city of 15,000 people or more), region words and UK
postcodes. The data sets are loaded once per process, on first use (`load`); the worker loads
them at start-up so no workflow task pays for it."""

from consultation.places.cities import City, cities_named, city_in_text, likely_city
from consultation.places.countries import (
    EUROPE,
    ROW,
    UK,
    country_named,
    region_named,
    region_of,
)
from consultation.places.data import load
from consultation.places.postcodes import postcode_in

__all__ = [
    "EUROPE",
    "ROW",
    "UK",
    "City",
    "cities_named",
    "city_in_text",
    "country_named",
    "likely_city",
    "load",
    "postcode_in",
    "region_named",
    "region_of",
]
