"""The book (`make book`), built here into a temporary folder from the committed lessons.

Checked on the pages themselves: every image's alt text is the sentence after it, every
widget is a picture of its first state with its status, nothing loads from the network.
The panels' pictures are kept in build/book-cache/ (as `make book` keeps them), so only
a lesson or an nnlib that changed is run again.
"""

import base64
import importlib.util
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _load_builder():
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()
LESSONS = build.lessons()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    problems = build.build(out, cache=ROOT / "build" / "book-cache")
    return out, problems


_PAGES = {}


def _page(site, lesson):
    """The lesson's page, parsed once for all the tests that read it (none changes it)."""
    path = site[0] / f"{lesson.stem}.html"
    if path not in _PAGES:
        _PAGES[path] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return _PAGES[path]


def _cell(node):
    while node is not None and "jp-Cell" not in (node.get("class") or []):
        node = node.parent
    return node


def _sentence_after(img):
    """The first paragraph of the markdown cell after the image's cell, as the page shows it."""
    cell = _cell(img)
    after = cell.find_next_sibling(class_="jp-Cell") if cell is not None else None
    if after is None or "jp-MarkdownCell" not in after["class"]:
        return None
    markdown = after.find(class_="jp-MarkdownOutput")
    first = next((el for el in markdown.children if getattr(el, "name", None)), None) if markdown else None
    return build.plain_text(first) if first is not None and first.name == "p" else None


def test_there_are_lessons_to_build():
    assert LESSONS, "no lesson notebooks found under notebooks/"


def test_index_links_every_lesson_in_order(site):
    index = BeautifulSoup((site[0] / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in index.select("main ol a")] == [f"{p.stem}.html" for p in LESSONS]
    assert index.html.get("lang") == "en"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_image_has_the_sentence_after_it_as_alt_text(site, lesson):
    page = _page(site, lesson)
    bad = []
    for img in page.find_all("img"):
        alt, sentence = img.get("alt", ""), _sentence_after(img)
        panel = img.find_parent("figure", class_="nnlib-static-panel")
        if panel is not None and sentence is None:
            # A panel with no sentence after it is described by its own status line.
            sentence = build.plain_text(panel.find("figcaption"))
        where = f"cell {_cell(img).get('id', '?')}" if _cell(img) is not None else "outside any cell"
        if sentence is None:
            bad.append(f"{where}: a figure with no sentence after it (a markdown cell of one sentence)")
        elif not alt.strip():
            bad.append(f"{where}: an image without alt text")
        elif alt != sentence:
            bad.append(f"{where}: alt {alt[:80]!r} is not the sentence after it, {sentence[:80]!r}")
    assert not bad, f"{lesson.name}:\n" + "\n".join(bad)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_widget_is_a_picture_of_its_first_state_with_its_status(site, lesson):
    nb = nbformat.read(lesson, as_version=4)
    widgets = [out["data"]["text/plain"] for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]
    page = _page(site, lesson)
    panels = page.select("figure.nnlib-static-panel")
    assert len(panels) == len(widgets), (
        f"{lesson.name} displays {len(widgets)} widgets, its page shows {len(panels)} pictures of them; "
        f"the build said: {site[1][lesson.name]}")
    for settings, panel in zip(widgets, panels):
        src = panel.find("img")["src"]
        assert src.startswith("data:image/png;base64,"), f"{settings}: picture is not an inline PNG"
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n", f"{settings}: not a PNG"
        assert panel.find("figcaption").get_text(strip=True), f"{settings}: no status text under its picture"
        assert settings in panel.find_next_sibling("p").get_text(), f"{settings}: settings not shown"
    assert WIDGET_VIEW not in str(page), f"{lesson.name}: a live widget view was left on the page"


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_pages_load_nothing_from_the_network_and_link_pages_not_notebooks(site, lesson):
    page = _page(site, lesson)
    remote = [str(tag)[:120] for tag in page.find_all(["script", "link", "img"])
              if (tag.get("src") or tag.get("href") or "").startswith(("http:", "https:", "//"))]
    assert not remote, f"{lesson.name} loads from the network: {remote}"
    assert (site[0] / "mathjax" / "MathJax.js").exists(), "MathJax was not copied beside the pages"
    to_notebooks = [a["href"] for a in page.find_all("a", href=True)
                    if a["href"].split("#")[0].endswith(".ipynb") and not a["href"].startswith("http")]
    assert not to_notebooks, f"{lesson.name} links to notebooks instead of pages: {to_notebooks}"


# ---- the builder's checks, on small made-up notebooks -------------------------------


def _figure_cell():
    cell = nbformat.v4.new_code_cell("plt.show()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]
    return cell


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_a_figure_takes_the_first_paragraph_after_it_as_alt_text():
    nb = _notebook(_figure_cell(), nbformat.v4.new_markdown_cell("The loss falls: $w = 2$ fits.\n\nMore text."))
    assert build.prepare(nb, []) == []
    assert nb.cells[0].outputs[0].metadata["alt"] == "The loss falls: w = 2 fits."


def test_a_figure_followed_by_a_heading_or_code_is_reported():
    for after in (nbformat.v4.new_markdown_cell("## Next section"), nbformat.v4.new_code_cell("1")):
        problems = build.prepare(_notebook(_figure_cell(), after), [])
        assert problems == ["cell 0: a figure with no sentence after it (the markdown cell that says what it shows)"]


def test_a_widget_without_a_panel_picture_is_reported_not_left_blank():
    cell = nbformat.v4.new_code_cell("panel")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={
        WIDGET_VIEW: {"model_id": "a", "version_major": 2, "version_minor": 0}, "text/plain": "Panel(w=1)"},
        execution_count=1)]
    nb = _notebook(cell, nbformat.v4.new_markdown_cell("The panel."))
    assert build.prepare(nb, [{"png": None, "status": "w = 1"}]) == [
        "cell 0: widget 'Panel(w=1)' has no nnlib panel picture and status to show"]
    assert build.prepare(nb, "CellExecutionError: boom")[0] == (
        "could not run the notebook to draw its panels: CellExecutionError: boom")


def test_a_panel_picture_is_found_inside_nested_boxes():
    models = {
        "box": {"state": {"children": ["IPY_MODEL_inner"], "_dom_classes": ["nnlib-panel"]}},
        "inner": {"state": {"children": ["IPY_MODEL_out", "IPY_MODEL_status"]}},
        "out": {"state": {"_dom_classes": ["nnlib-figure"], "outputs": [{"data": {"image/png": "PNG"}}]}},
        "status": {"state": {"_dom_classes": ["nnlib-status"], "value": "loss 0.1"}},
    }
    assert build.panel_picture(models, "box") == {"png": "PNG", "status": "loss 0.1"}
    assert build.panel_picture(models, "inner") == {"png": "PNG", "status": "loss 0.1"}
    assert build.panel_picture(models, "status") == {"png": None, "status": "loss 0.1"}
