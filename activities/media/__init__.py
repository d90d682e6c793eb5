"""Reference images the client sends, copied out of WhatsApp (`graph`) into storage we control
(`storage`) by the `store_media` activity (`activity`)."""

from activities.media.activity import Downloader, MediaActivities, StoredMedia, StoreMedia
from activities.media.graph import GraphMedia, digest_matches
from activities.media.storage import LocalStorage, Storage, SupabaseStorage, object_key

__all__ = [
    "Downloader",
    "GraphMedia",
    "LocalStorage",
    "MediaActivities",
    "Storage",
    "StoreMedia",
    "StoredMedia",
    "SupabaseStorage",
    "digest_matches",
    "object_key",
]
