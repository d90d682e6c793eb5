"""What a client types through a whole consultation, shared by the end-to-end tests and the
benchmark."""

# One answer per question (after the greeting), typed as a client would: "2k" must mean £2,000.
ANSWERS = [
    "A fine line swallow with a sprig of lavender",
    "Inner forearm",
    "10x12cm",
    "Fine line",
    "2",
    "No",
    "no",
    "2k",
    "Leeds",
    "@inky_client",
    "same",
    "Next 2-4 weeks",
]
