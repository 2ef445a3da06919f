"""``pipeproof report``: the HTML and Markdown report of a verdicts JSON, its up-front errors,
and the page as headless Chromium renders it (no console error, formulas laid out as MathML,
figures decoded). The browser tests skip when no Chromium is installed."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from headless_browser import Browser, file_url, find_browser

from pipeproof.checks import outputs
from pipeproof.checks.cli.main import main
from pipeproof.checks.document.figures import SCHEDULES
from pipeproof.checks.document.mathml import conjuncts
from pipeproof.checks.document.verdicts import load_verdicts

SAMPLE = Path(__file__).parent / "data" / "verdicts_sample.json"
"""Four theorems of a default-profile run (STL-PD-MAX, STL-PD-PAPER, THR-LSGD, CONV-RPD)."""
FIGURES = len(SCHEDULES) + 2
"""The four schedule diagrams, the delay matrix and the maxima against S."""
BROWSER = find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on PATH (Debian: apt-get install chromium)")

FORMULA_LAYOUT = """(() => {
  const maths = [...document.querySelectorAll('math')];
  const sizes = maths.map(m => { const r = m.getBoundingClientRect();
    const inner = m.firstElementChild ? m.firstElementChild.getBoundingClientRect() : r;
    return [m.constructor.name, inner.width, inner.height]; });
  const fractions = [...document.querySelectorAll('mfrac')].map(f => {
    const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
    return top.bottom <= bottom.top + 0.5 && Math.abs(top.x - bottom.x) < top.width + bottom.width;
  });
  const images = [...document.images].map(i => i.complete && i.naturalWidth > 0);
  return {sizes, fractions, images};
})()"""
"""Every <math>: its class and the size of its content; every fraction: numerator above
denominator (true only when the browser lays out MathML); every image: decoded."""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    assert main(["report", "--json", str(SAMPLE), "--out", str(folder)]) == 0
    return folder


def test_html_is_self_contained(report: Path) -> None:
    page = (report / "report.html").read_text("utf-8")
    document = json.loads(SAMPLE.read_text("utf-8"))
    for entry in document["theorems"]:
        assert f'id="{entry["id"]}"' in page
    assert "<script" not in page
    external = re.findall(r'(?:src|href)="(?!data:|#)([^"]+)"', page)
    assert external == []
    assert page.count("<math") >= sum(len(conjuncts(t["latex"])) for t in document["theorems"])
    assert page.count('src="data:image/png;base64,') == FIGURES


def test_report_lists_obligations_and_counterexamples(report: Path) -> None:
    page = html.unescape((report / "report.html").read_text("utf-8"))
    markdown = (report / "report.md").read_text("utf-8")
    paper = next(t for t in load_verdicts(SAMPLE)["theorems"] if t["id"] == "STL-PD-PAPER")
    for text in (page, markdown):
        assert "refuted by symbolic, smt" in text or "refuted by smt, symbolic" in text
        assert "proved by smt" in text
        assert "quantity = delay.steady_max" in text  # the exhaustive counterexample
        for variant in paper["variants"]:
            assert variant["description"].replace("|", "\\|") in text or \
                variant["description"] in text
    assert "ALL AS EXPECTED: 4 of 4 theorems" in markdown
    document = load_verdicts(SAMPLE)
    assert markdown.count("$$") == 2 * sum(len(conjuncts(t["latex"])) for t in document["theorems"])
    for link in re.findall(r"\]\((figures/[^)]+)\)", markdown):
        assert (report / link).read_bytes().startswith(b"\x89PNG")


def test_conjuncts_split_only_at_top_level() -> None:
    assert conjuncts(r"a \wedge \left(b \wedge c\right) \wedge {d \wedge e}") == [
        "a", r"\left(b \wedge c\right)", r"{d \wedge e}"]
    assert conjuncts(r"x \leq y") == [r"x \leq y"]


def test_bad_paths_and_files_are_refused_up_front(capsys: pytest.CaptureFixture,
                                                  tmp_path: Path) -> None:
    not_a_report = tmp_path / "other.json"
    not_a_report.write_text('{"theorems": [{"name": 1}]}')
    afile = tmp_path / "file.txt"
    afile.write_text("")
    for argv, expected in (
            (["--json", str(not_a_report)], "is not a verdicts report"),
            (["--json", str(tmp_path / "v.txt")], "--json must be a file path ending in .json"),
            (["--json", str(SAMPLE), "--out", str(afile)], "--out must be a folder path"),
            (["--plots", str(tmp_path)], "--plots does not apply to report")):
        before = sorted(tmp_path.rglob("*"))
        with pytest.raises(SystemExit) if argv[0] == "--plots" else _no_raise() as stopped:
            code = main(["report", *argv] if argv[0] != "--plots" else [*argv, "report"])
        code = stopped.value.code if stopped else code
        err = capsys.readouterr().err
        assert code == 2 and expected in err and err.count("\n") == 1, err
        assert sorted(tmp_path.rglob("*")) == before


class _no_raise:  # noqa: N801 - a context manager used like pytest.raises
    value = None

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_missing_verdicts_run_the_checks_first(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_run(theorems, profile, path, workers, plots) -> int:
        calls.append(profile)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE, path)
        return 1
    monkeypatch.setattr("pipeproof.checks.cli.main._check_and_report", fake_run)
    monkeypatch.setattr("pipeproof.checks.document.build.report_figures", list)
    target = tmp_path / "new" / "verdicts.json"
    code = main(["report", "--json", str(target), "--profile", "quick",
                 "--out", str(tmp_path / "out")])
    assert calls == ["quick"] and code == 1  # the run's code when it was not as expected
    assert (tmp_path / "out" / "report.html").exists()
    code = main(["report", "--json", str(target), "--out", str(tmp_path / "out")])
    assert calls == ["quick"] and code == 0  # an existing report is read, not re-run


def test_without_optional_packages_the_report_falls_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    real = outputs.importlib.util.find_spec
    monkeypatch.setattr(outputs.importlib.util, "find_spec",
                        lambda name, *rest: None if name in ("matplotlib", "latex2mathml")
                        else real(name, *rest))
    assert main(["report", "--json", str(SAMPLE), "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "without latex2mathml" in err and "without matplotlib" in err
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "<math" not in page and '<pre class="latex">' in page and "No figures" in page


@needs_browser
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    matplotlib_image = pytest.importorskip("matplotlib.image")
    with Browser(BROWSER) as browser:
        browser.open(file_url(report / "report.html"))
        assert browser.errors() == []
        layout = browser.evaluate(FORMULA_LAYOUT)
        assert layout["sizes"] and all(name == "MathMLElement" and width > 5 and height > 5
                                       for name, width, height in layout["sizes"])
        assert layout["fractions"] and all(layout["fractions"])
        assert len(layout["images"]) == FIGURES and all(layout["images"])
        clip = browser.evaluate("""(() => { const m = document.querySelector('#STL-PD-MAX math');
            m.scrollIntoView(); const r = m.firstElementChild.getBoundingClientRect();
            return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })()""")
        pixels = matplotlib_image.imread(io.BytesIO(browser.screenshot(clip)), format="png")
    ink = (pixels[..., :3].mean(axis=2) < 0.5).mean()
    assert 0.01 < ink < 0.6  # glyphs drawn where the formula is, not a blank or solid box


@needs_browser
def test_the_browser_check_sees_errors_and_unrendered_formulas(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('boom')</script>"
                      "<img src='missing.png'><script>null.f()</script>"
                      "<span><mfrac><mi>a</mi><mi>b</mi></mfrac></span></body></html>")
    with Browser(BROWSER) as browser:
        browser.open(file_url(broken))
        errors = browser.errors()
        layout = browser.evaluate(FORMULA_LAYOUT)
    assert len(errors) == 3 and any("boom" in error for error in errors)
    assert any("ERR_FILE_NOT_FOUND" in error for error in errors)
    assert layout["fractions"] == [False] and layout["images"] == [False]


@pytest.mark.slow
def test_fresh_run_to_rendered_report(tmp_path: Path) -> None:
    verdicts = tmp_path / "verdicts.json"
    assert main(["--only", "STL-PD-PAPER", "--profile", "quick", "--json", str(verdicts)]) == 0
    assert main(["report", "--json", str(verdicts), "--out", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "STL-PD-PAPER" in page and "<math" in page
    if BROWSER is not None:
        with Browser(BROWSER) as browser:
            browser.open(file_url(tmp_path / "report.html"))
            assert browser.errors() == []


def test_markup_in_a_statement_is_never_passed_through(tmp_path: Path) -> None:
    document = json.loads(SAMPLE.read_text("utf-8"))
    entry = document["theorems"][0]
    entry["latex"] = r"x \leq 1 \wedge \text{<script>alert(1)</script>} \wedge y_{<b>}"
    entry["title"] = "<img src=x onerror=alert(1)>"
    entry["obligations"][0]["name"] = "<script>alert(2)</script>"
    source = tmp_path / "verdicts.json"
    source.write_text(json.dumps(document))
    assert main(["report", "--json", str(source), "--out", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text("utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as its source
    assert "<math" in page  # the harmless conjuncts still render


def test_profile_of_an_existing_report_is_not_silently_ignored(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipeproof.checks.document.build.report_figures", list)
    assert main(["report", "--json", str(SAMPLE), "--profile", "quick",
                 "--out", str(tmp_path)]) == 0
    assert "--profile is used only when the checks run" in capsys.readouterr().err
