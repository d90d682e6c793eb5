"""The edge's HTML pages escape whatever they show: a lead's answers and a workflow's refusal
are text from clients, and never become markup on the artist's screen."""

from __future__ import annotations

from api.rendering import note, page, render

SCRIPT = '<script>alert("x")</script>'


def test_a_value_shown_on_a_page_is_escaped():
    body = note("No longer possible", SCRIPT, 409).body.decode()
    assert SCRIPT not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body


def test_a_title_is_escaped_in_the_head_and_the_heading():
    body = note(SCRIPT, "text").body.decode()
    assert SCRIPT not in body and body.count("&lt;script&gt;") == 2


def test_a_rendered_part_is_placed_once_escaped_not_twice():
    row = render("lead_summary_row.html", name="Idea", value="koi & lotus")
    summary = render("lead_summary.html", rows=row)
    body = page("Approve", "confirm_action.html", summary=summary, effect="e", button="Go").body
    assert "<dl><dt>Idea</dt><dd>koi &amp; lotus</dd></dl>" in body.decode()


def test_a_page_answers_with_its_status():
    assert note("Link expired", "This link has expired.", 410).status_code == 410
