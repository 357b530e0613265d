#!/usr/bin/python3
"""Checks an arenagap output folder with the real client: QGIS (headless) and GDAL.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/check_qgis.py OUT_DIR [--expect-gpkg] [--zone-rules]
        [--analysis-crs EPSG:N]
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/check_qgis.py COMPARE_OUT_DIR --compare

Opens OUT_DIR/arenagap.qgs and checks every layer (valid, feature count and CRS as in its GeoJSON file, the
contract fields, the intended renderer, a style class with a known marker for every kind of arena), renders the project to OUT_DIR/qgis_render.png and checks the picture is
not blank; then, if OUT_DIR/arenagap.gpkg exists (required with --expect-gpkg), opens each of its layers the way
QGIS does (default style from layer_styles), checks count, CRS, style (the arenas' classes as in the project)
and R-tree; and runs ogrinfo on every file,
failing on any warning or error. Exits non-zero on any failure; the last line is `N passed, M failed`.

With --zone-rules, the gap zones are also checked against every arena of the run's coverage kinds with QGIS's own
geometry engine (GEOS): no zone overlaps an arena's coverage disc (the "any arena" radius of run.json, drawn with 256
segments per quarter) by more than 1 m², so no arena of those kinds lies inside a zone, and every zone lies inside
the districts (its area outside them at most 1 m²).

With --compare, OUT_DIR is a `compare` output: scenarios.csv is read by GDAL, and in every scenario folder
compare.qgs is opened and each of its layers checked the same way (districts and child points classed on
`change`, arenas on `status`, a class for every value present), rendered to qgis_render.png, and the districts
checked to show the change colours.

Debian's PyQGIS lives in the system Python, hence /usr/bin/python3.
"""

import argparse
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from osgeo import ogr  # noqa: E402
from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsSimpleMarkerSymbolLayerBase,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

ogr.UseExceptions()

LAYERS = ["districts", "gaps", "children", "arenas"]
# Top of the layer list first.
ORDER = ["arenas", "gaps", "children", "districts"]
FIELDS = {
    "districts": [
        "district_id", "district_name", "children", "arenas_total", "arenas_familjecentral", "arenas_oppen_forskola",
        "arenas_bibliotek", "arenas_bemannad_lekplats", "children_covered", "children_uncovered", "coverage_share",
        "children_covered_familjecentral", "children_covered_oppen_forskola", "children_covered_bibliotek",
        "children_covered_bemannad_lekplats", "mean_distance_m", "p90_distance_m", "mean_distance_familjecentral_m",
        "mean_distance_oppen_forskola_m", "mean_distance_bibliotek_m", "mean_distance_bemannad_lekplats_m",
        "has_familjecentral",
        "need_weight", "gap_score", "gap_rank", "gap_score_unweighted", "gap_rank_unweighted",
    ],
    "gaps": ["zone_id", "children", "nearest_arena_m", "nearest_arena_min_m", "districts", "gap_score", "gap_rank", "area_km2"],
    "children": [
        "children", "district_id", "nearest_any_m", "nearest_any_id", "nearest_any_name", "nearest_familjecentral_m",
        "nearest_familjecentral_id", "nearest_oppen_forskola_m", "nearest_oppen_forskola_id", "nearest_bibliotek_m",
        "nearest_bibliotek_id", "nearest_bemannad_lekplats_m", "nearest_bemannad_lekplats_id", "covered",
    ],
    "arenas": ["arena_id", "name", "kind", "capacity", "district_id", "radius_m", "children_within_radius"],
}
RENDERERS = {
    "districts": "graduatedSymbol",
    "gaps": "RuleRenderer",
    "children": "heatmapRenderer",
    "arenas": "pointDisplacement",
}
# The district classes' fill colours (maps/make_maps.py), "no gap" first.
# The fills of the gap classes (src/output/symbology/classes.rs): no gap, then the ramp light to dark.
DISTRICT_COLOURS = ["#e4e4e4", "#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok    {what}")
        else:
            self.failed += 1
            print(f"FAIL  {what}" + (f": {detail}" if detail else ""))
        return ok


def geojson_facts(path):
    """(feature count, EPSG authid) of a GeoJSON file as GDAL reads it."""
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    srs = layer.GetSpatialRef()
    authid = None
    if srs is not None:
        srs.AutoIdentifyEPSG()
        code = srs.GetAuthorityCode(None)
        authid = f"EPSG:{code}" if code else None
    return layer.GetFeatureCount(), authid


def ogrinfo(c, path):
    exe = shutil.which("ogrinfo")
    if exe is None:
        print(f"skip  ogrinfo {os.path.basename(path)}: ogrinfo is not installed")
        return
    cmd = [exe, "-al", "-so", "--config", "OGR_GPKG_INTEGRITY_CHECK", "YES", path]
    run = subprocess.run(cmd, capture_output=True, text=True)
    text = run.stdout + run.stderr
    bad = [line for line in text.splitlines() if "Warning" in line or "ERROR" in line]
    c.check(run.returncode == 0 and not bad, f"ogrinfo {os.path.basename(path)}: no warnings or errors",
            "; ".join(bad[:5]) or f"exit {run.returncode}")


# Fields that count children (INTEGER when the input counts are whole, else REAL, the same in every format) and
# fields that are always REAL.
COUNT_FIELDS = {"districts": ["children", "children_covered", "children_uncovered"], "gaps": ["children"],
                "children": ["children"], "arenas": ["children_within_radius"]}
REAL_FIELDS = {"districts": ["coverage_share", "need_weight", "gap_score"], "gaps": ["gap_score"],
               "children": ["nearest_any_m"], "arenas": ["radius_m"]}


def field_types(path, layer=None):
    """{field: OGR type name} of a layer of a file, as GDAL reads it."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    d = lyr.GetLayerDefn()
    return {d.GetFieldDefn(i).GetName(): d.GetFieldDefn(i).GetTypeName() for i in range(d.GetFieldCount())}


def check_types(c, out):
    """Counts have one type in GeoJSON and GeoPackage (Integer when whole); shares, scores and weights are Real."""
    gpkg = os.path.join(out, "arenagap.gpkg")
    for name in LAYERS:
        geojson = field_types(os.path.join(out, name + ".geojson"))
        counts = {geojson.get(f) for f in COUNT_FIELDS[name] if f in geojson}
        c.check(len(counts) == 1 and counts <= {"Integer", "Integer64", "Real"},
                f"{name}.geojson: the counts have one type ({counts})")
        reals = {f: geojson.get(f) for f in REAL_FIELDS[name] if f in geojson}
        c.check(all(t == "Real" for t in reals.values()), f"{name}.geojson: shares, scores, weights are Real", f"{reals}")
        if os.path.isfile(gpkg):
            packed = field_types(gpkg, name)
            norm = lambda t: "Integer" if t in ("Integer", "Integer64") else t  # noqa: E731
            differ = {f: (geojson[f], packed.get(f)) for f in COUNT_FIELDS[name] + REAL_FIELDS[name]
                      if f in geojson and norm(geojson[f]) != norm(packed.get(f))}
            c.check(not differ, f"{name}: the same types in GeoJSON and the GeoPackage", f"{differ}")


def is_not_blank(image):
    """Whether a rendered image shows more than the background: enough non-white pixels in several colours."""
    w, h = image.width(), image.height()
    step = 4
    coloured, colours = 0, set()
    total = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            total += 1
            rgb = image.pixel(x, y) & 0xFFFFFF
            if rgb != 0xFFFFFF:
                coloured += 1
                colours.add(rgb >> 3)  # coarse, so that antialiasing does not count
    return coloured / total, len(colours)


def close_to(rgb, colour, tolerance=6):
    c = QColor(colour)
    return all(abs(a - b) <= tolerance for a, b in zip(((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255),
                                                       (c.red(), c.green(), c.blue())))


def arena_classes(c, prefix, layer):
    """Checks that the arenas layer has a class on `kind` for every kind value in it, each a SimpleMarker of a
    shape QGIS knows; returns the classes as (value, label, shape, colour), or None without a categorized style."""
    renderer = layer.renderer()
    if renderer is not None and renderer.type() == "pointDisplacement":
        renderer = renderer.embeddedRenderer()
    if renderer is None or renderer.type() != "categorizedSymbol":
        return None
    classes = []
    for cat in renderer.categories():
        sl = cat.symbol().symbolLayer(0) if cat.symbol() else None
        simple = sl is not None and sl.layerType() == "SimpleMarker"
        name = sl.properties().get("name") if simple else None
        shape, known = QgsSimpleMarkerSymbolLayerBase.decodeShape(name or "")
        c.check(simple and known, f"{prefix}arenas: class {cat.value()} is a known marker", str(name))
        classes.append((cat.value(), cat.label(), name, cat.symbol().color().name() if cat.symbol() else None))
    values = {v for v, _, _, _ in classes}
    kinds = {f["kind"] for f in layer.getFeatures()}
    c.check(renderer.classAttribute() == "kind" and kinds <= values,
            f"{prefix}arenas: a class on kind for each of the {len(kinds)} kinds ({len(values)} classes)",
            f"attribute {renderer.classAttribute()}, no class for " + ", ".join(sorted(map(str, kinds - values))))
    return classes


def colours_seen(project, layer, extent, colours):
    """The keys of `colours` (key: colour) whose colour shows when `layer` is rendered alone."""
    image, _ = render(project, [layer], extent, QSize(600, 450))
    seen = set()
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            rgb = image.pixel(x, y) & 0xFFFFFF
            seen.update(k for k, colour in colours.items() if close_to(rgb, colour))
    return seen


def render(project, layers, extent, size, path=None):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setTransformContext(project.transformContext())
    settings.setOutputSize(size)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if path:
        image.save(path, "PNG")
    return image, [f"{e.layerID}: {e.message}" for e in job.errors()]


# The print layout's items by id (maps/make_maps.py), with the class each must be.
LAYOUT_ITEMS = {"title": QgsLayoutItemLabel, "subtitle": QgsLayoutItemLabel, "sources": QgsLayoutItemLabel,
                "map": QgsLayoutItemMap, "legend": QgsLayoutItemLegend, "scale_bar": QgsLayoutItemScaleBar,
                "north_arrow": QgsLayoutItemPicture}


def plain(text):
    """Text with every run of white space (no-break spaces and line breaks too) as one space."""
    return " ".join(text.replace("\xa0", " ").split())


def check_layout(c, tag, project, folder, layers, title, fills):
    """The project's print layout `arenagap`: its items, the run's words in them, the map showing `layers`
    whole; then exported to PDF by QGIS and read back with poppler: a page that is not blank, with `fills`
    (key: colour) on it, and the title and sources as text."""
    layout = project.layoutManager().layoutByName("arenagap")
    if not c.check(layout is not None, f"{tag}the project has the print layout arenagap"):
        return
    items = {}
    for item_id, cls in LAYOUT_ITEMS.items():
        item = layout.itemById(item_id)
        if c.check(isinstance(item, cls), f"{tag}layout: {item_id} is a {cls.__name__}", type(item).__name__):
            items[item_id] = item
    if len(items) < len(LAYOUT_ITEMS):
        return
    texts = {k: items[k].text() for k in ("title", "subtitle", "sources")}
    c.check(all(t and "{" not in t for t in texts.values()), f"{tag}layout: title, subtitle and sources are the run's",
            str(texts))
    if title:
        c.check(plain(texts["title"]) == plain(title), f"{tag}layout: the title is the profile's ({title!r})",
                texts["title"])
    c.check("Källor" in texts["sources"] and ".geojson" in texts["sources"] + " ",
            f"{tag}layout: the sources name the input files", texts["sources"])
    map_item = items["map"]
    area = None
    for layer in layers:
        # Each feature's geometry transformed, not the layer's box: a lon/lat box turned into a projected one
        # grows with the meridians' convergence.
        to_map = QgsCoordinateTransform(layer.crs(), map_item.crs(), project.transformContext())
        for feature in layer.getFeatures():
            geometry = QgsGeometry(feature.geometry())
            if geometry.isEmpty() or geometry.transform(to_map) != 0:
                continue
            box = geometry.boundingBox()
            if area is None:
                area = box
            else:
                area.combineExtentWith(box)
    if area is not None:
        shown = map_item.extent()
        c.check(shown.contains(area) and shown.area() < 4 * area.area() + 1e6,
                f"{tag}layout: the map shows the study area whole", f"map {shown.toString(0)}, data {area.toString(0)}")
    legend = items["legend"]
    c.check(legend.linkedMap() is map_item and items["scale_bar"].linkedMap() is map_item,
            f"{tag}layout: legend and scale bar follow the map")
    headings = {}
    for node in legend.model().rootGroup().findLayers():
        headings[node.layerId().split("_")[0]] = node.customProperty("legend/title-label")
    c.check(len(headings) == len(project.mapLayers()) and all(h and "{" not in h for h in headings.values()),
            f"{tag}layout: the legend has a Swedish heading for each layer", str(headings))
    bar = items["scale_bar"]
    c.check(bar.unitsPerSegment() > 0 and 20 <= bar.rect().width() <= 90,
            f"{tag}layout: the scale bar is {bar.unitsPerSegment():g} {bar.unitLabel()} a segment",
            f"{bar.rect().width():.0f} mm wide")
    c.check(not items["north_arrow"].isMissingImage(), f"{tag}layout: the north arrow's picture is found",
            items["north_arrow"].picturePath())

    pdf = os.path.join(folder, "qgis_layout.pdf")
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.rasterizeWholeImage = False
    result = QgsLayoutExporter(layout).exportToPdf(pdf, settings)
    if not c.check(result == QgsLayoutExporter.Success and os.path.isfile(pdf),
                   f"{tag}QGIS exports the layout to PDF", f"result {result}"):
        return
    size = os.path.getsize(pdf)
    c.check(size > 10_000, f"{tag}qgis_layout.pdf has content ({size // 1000} kB)")
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        c.check(False, f"{tag}poppler-utils (pdftoppm, pdftotext) reads the PDF", "apt-get install -y poppler-utils")
        return
    stem = os.path.join(folder, "qgis_layout")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", pdf, stem], check=False)
    image = QImage(stem + ".png")
    pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    info = {k.strip(): v.strip() for k, _, v in (l.partition(":") for l in pages.splitlines())}
    c.check(info.get("Pages") == "1" and info.get("Page size", "").startswith("842 x 595"),
            f"{tag}qgis_layout.pdf: one A4 landscape page",
            " ".join(l for l in pages.splitlines() if l.startswith(("Pages", "Page size"))))
    if c.check(not image.isNull(), f"{tag}poppler renders qgis_layout.pdf"):
        share, colours = is_not_blank(image)
        c.check(share > 0.10 and colours >= 5, f"{tag}the PDF page is not blank ({share:.0%} drawn, {colours} colours)")
        seen = set()
        for y in range(0, image.height(), 2):
            for x in range(0, image.width(), 2):
                rgb = image.pixel(x, y) & 0xFFFFFF
                seen.update(k for k, colour in fills.items() if close_to(rgb, colour, 8))
        c.check(set(fills) <= seen, f"{tag}the PDF shows the district fills ({sorted(map(str, fills))})",
                f"seen {sorted(map(str, seen))}")
    text = plain(subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout)
    for what, want in [("title", texts["title"]), ("sources", texts["sources"].split("\n")[0][:40])]:
        c.check(plain(want)[:60] in text, f"{tag}the PDF's text holds the {what}", plain(want)[:60])
    for heading in headings.values():
        c.check(plain(heading)[:20] in text, f"{tag}the PDF's legend holds {heading!r}")


COMPARE_LAYERS = ["districts_diff", "children_diff", "arenas"]
COMPARE_ORDER = ["arenas", "children_diff", "districts_diff"]
COMPARE_FIELDS = {
    "districts_diff": ["district_id", "district_name", "change"] + [
        f"{m}_{side}" for m in ["children", "children_covered", "coverage_share", "mean_distance_m", "gap_score",
                                "gap_rank"] for side in ["before", "after", "change"]] + [
        "has_familjecentral_before", "has_familjecentral_after", "has_familjecentral_change"],
    "children_diff": ["change", "district_id", "children_before", "children_after", "covered_before", "covered_after",
                      "nearest_any_m_before", "nearest_any_m_after", "nearest_any_m_change",
                      "nearest_any_name_before", "nearest_any_name_after"],
    "arenas": FIELDS["arenas"] + ["status"],
}
COMPARE_CLASSED_BY = {"districts_diff": "change", "children_diff": "change", "arenas": "status"}
# The district fills of better and worse (src/output/symbology.rs CHANGE_CLASSES).
CHANGE_FILLS = {"better": "#c7e9c0", "worse": "#fcbba1"}


def check_scenario(c, folder):
    """One scenario folder of a compare output."""
    tag = os.path.basename(folder) + "/"
    expected = {}
    for name in COMPARE_LAYERS:
        path = os.path.join(folder, name + ".geojson")
        if c.check(os.path.isfile(path), f"{tag}{name}.geojson exists"):
            expected[name] = geojson_facts(path)
    qgs = os.path.join(folder, "compare.qgs")
    project = QgsProject.instance()
    project.clear()
    if not (c.check(os.path.isfile(qgs), f"{tag}compare.qgs exists")
            and c.check(project.read(qgs), f"{tag}QGIS reads compare.qgs", project.error())):
        return
    order = [layer.name() for layer in project.layerTreeRoot().layerOrder()]
    c.check(order == COMPARE_ORDER, f"{tag}layer order: arenas, children_diff, districts_diff", str(order))
    for name in COMPARE_LAYERS:
        found = project.mapLayersByName(name)
        if not c.check(len(found) == 1, f"{tag}project has one layer {name}", f"{len(found)} found"):
            continue
        layer = found[0]
        if not c.check(layer.isValid(), f"{tag}{name}: valid", layer.source()):
            continue
        count, authid = expected.get(name, (None, None))
        c.check(layer.featureCount() == count, f"{tag}{name}: {count} features", str(layer.featureCount()))
        if count:
            c.check(layer.crs().authid() == authid, f"{tag}{name}: CRS {authid} as in the file", layer.crs().authid())
        if count:
            names = set(layer.fields().names())
            missing = [f for f in COMPARE_FIELDS[name] if f not in names]
            c.check(not missing, f"{tag}{name}: contract fields", "missing " + ", ".join(missing))
            if name in ALIASES:
                check_aliases(c, tag, name, layer)
        renderer = layer.renderer()
        field = COMPARE_CLASSED_BY[name]
        if c.check(renderer is not None and renderer.type() == "categorizedSymbol"
                   and renderer.classAttribute() == field, f"{tag}{name}: classed on {field}",
                   str(renderer.type() if renderer else None)):
            values = {cat.value() for cat in renderer.categories()}
            present = {f[field] for f in layer.getFeatures()} if count else set()
            c.check(present <= values, f"{tag}{name}: a class for each {field} present ({sorted(present)})",
                    "no class for " + ", ".join(sorted(map(str, present - values))))
    districts = project.mapLayersByName("districts_diff")
    if districts and districts[0].isValid():
        d = districts[0]
        to_project = QgsCoordinateTransform(d.crs(), project.crs(), project.transformContext())
        extent = to_project.transformBoundingBox(d.extent())
        extent.scale(1.05)
        png = os.path.join(folder, "qgis_render.png")
        image, errors = render(project, project.layerTreeRoot().layerOrder(), extent, QSize(1200, 900), png)
        c.check(not errors, f"{tag}rendering has no errors", "; ".join(errors))
        share, colours = is_not_blank(image)
        c.check(share > 0.05 and colours >= 3, f"{tag}qgis_render.png is not blank ({share:.0%}, {colours} colours)")
        seen = colours_seen(project, d, extent, CHANGE_FILLS)
        want = {f["change"] for f in d.getFeatures()} & set(CHANGE_FILLS)
        c.check(want <= seen, f"{tag}districts show the change colours ({sorted(want)})", f"seen {sorted(seen)}")
        check_layout(c, tag, project, folder, [d], None, {k: v for k, v in CHANGE_FILLS.items() if k in want})
        layout = project.layoutManager().layoutByName("arenagap")
        title = layout.itemById("title").text() if layout and layout.itemById("title") else ""
        c.check(title.endswith(": scenario mot nuläget (scenario against the baseline)"),
                f"{tag}layout: the title names the scenario", title)
    for name in COMPARE_LAYERS:
        path = os.path.join(folder, name + ".geojson")
        if os.path.isfile(path):
            ogrinfo(c, path)


def check_compare(c, out):
    table = os.path.join(out, "scenarios.csv")
    if c.check(os.path.isfile(table), "scenarios.csv exists"):
        ds = ogr.Open(table)
        rows = ds.GetLayer(0).GetFeatureCount() if ds else -1
        folders = sorted(e.path for e in os.scandir(out) if e.is_dir())
        c.check(rows == len(folders) and rows > 0, f"scenarios.csv: a row per scenario folder ({rows})",
                f"{rows} rows, {len(folders)} folders")
        for folder in folders:
            check_scenario(c, folder)
    # suggest's own layer, beside the comparison.
    suggestions = os.path.join(out, "suggestions.geojson")
    if os.path.isfile(suggestions):
        layer = QgsVectorLayer(suggestions, "suggestions", "ogr")
        count, authid = geojson_facts(suggestions)
        c.check(layer.isValid() and layer.featureCount() == count > 0, f"suggestions.geojson: {count} sites in QGIS")
        missing = [f for f in ["rank", "candidate_id", "name", "kind", "districts"] if f not in layer.fields().names()]
        c.check(not missing, "suggestions.geojson: contract fields", "missing " + ", ".join(missing))
        ogrinfo(c, suggestions)


def check_zone_rules(c, out, project, analysis_crs):
    """No gap zone overlaps a coverage disc of an arena of a coverage kind by more than 1 m²; zones lie inside the
    districts. Geometry in the analysis CRS, by QGIS's GEOS."""
    with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
        run = json.load(f)
    radius = run["resolved"]["radius_any_m"]
    coverage = set(run["resolved"]["coverage_kinds"])
    metric = QgsCoordinateReferenceSystem(analysis_crs)

    # The GeoPackage holds the analysis CRS at full precision; the GeoJSON layers are WGS 84 to 7 decimals (about
    # a centimetre), and a centimetre along a kilometre of disc edge is square metres.
    gpkg = os.path.join(out, "arenagap.gpkg")

    def geometries(name):
        if os.path.isfile(gpkg):
            layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        else:
            found = project.mapLayersByName(name)
            if not found:
                return []
            layer = found[0]
        to_metric = QgsCoordinateTransform(layer.crs(), metric, project.transformContext())
        result = []
        for feature in layer.getFeatures():
            g = QgsGeometry(feature.geometry())
            g.transform(to_metric)
            # GEOS refuses a polygon whose rings touch at a point the wrong way; such input districts exist.
            result.append((feature, g if g.isGeosValid() else g.makeValid()))
        return result

    zones = geometries("gaps")
    discs = [g.buffer(radius, 256) for f, g in geometries("arenas") if f["kind"] in coverage]
    land = QgsGeometry.unaryUnion([g for _, g in geometries("districts")])
    worst, inside, outside = 0.0, 0, 0.0
    for zone, g in zones:
        box = g.boundingBox()
        for disc in discs:
            if disc.boundingBox().intersects(box):
                worst = max(worst, g.intersection(disc).area())
        outside = max(outside, g.difference(land).area())
    for f, g in geometries("arenas"):
        if f["kind"] in coverage and any(z.contains(g) for _, z in zones):
            inside += 1
    c.check(bool(zones), f"{len(zones)} gap zones to check against {len(discs)} coverage discs")
    c.check(worst <= 1.0, "no gap zone overlaps an arena's coverage disc by more than 1 m²", f"largest {worst:.3f} m²")
    c.check(inside == 0, "no arena of a coverage kind lies inside a gap zone", f"{inside} do")
    c.check(outside <= 1.0, "every gap zone lies inside the districts", f"largest part outside {outside:.3f} m²")


# Swedish field aliases the styles carry (src/output/symbology/text.rs), a few per layer.
ALIASES = {
    "districts": {"children": "Barn", "gap_score": "Glappindex", "children_uncovered": "Barn utan arena nära",
                  "arenas_familjecentral": "Arenor: familjecentral"},
    "gaps": {"children": "Barn", "nearest_arena_m": "Medelavstånd till närmaste arena (m)"},
    "children": {"nearest_any_m": "Avstånd till närmaste arena (m)"},
    "arenas": {"name": "Namn", "kind": "Slag av arena"},
    "districts_diff": {"change": "Förändring", "gap_rank_after": "Glapprang efter",
                       "children_covered_change": "Barn nära en arena, förändring"},
    "children_diff": {"change": "Förändring"},
}


def check_aliases(c, prefix, name, layer):
    fields = layer.fields()
    got = {f: layer.attributeAlias(fields.indexOf(f)) for f in ALIASES[name] if fields.indexOf(f) >= 0}
    c.check(got == ALIASES[name], f"{prefix}{name}: Swedish field aliases", f"{got}")


def check_shared_points(c, project, layer, classes):
    """Arenas at one point are all visible: rendered alone around each shared point (at most five), every kind
    there shows its colour (QGIS's point displacement renderer sets them side by side)."""
    groups = {}
    for f in layer.getFeatures():
        p = f.geometry().asPoint()
        groups.setdefault((p.x(), p.y()), []).append(f["kind"])
    shared = [(xy, kinds) for xy, kinds in sorted(groups.items()) if len(kinds) > 1 and len(set(kinds)) > 1]
    if not shared or classes is None:
        return
    colour = {value: col for value, _, _, col in classes}
    to_project = QgsCoordinateTransform(layer.crs(), project.crs(), project.transformContext())
    missing = []
    for (x, y), kinds in shared[:5]:
        centre = to_project.transform(x, y)
        extent = QgsRectangle(centre.x() - 120, centre.y() - 90, centre.x() + 120, centre.y() + 90)
        want = {k: colour[k] for k in kinds if k in colour}
        seen = colours_seen(project, layer, extent, want)
        if seen != set(want):
            missing.append(f"{sorted(set(want) - seen)} at {x:.5f},{y:.5f}")
    c.check(not missing, f"arenas: every kind visible at {min(len(shared), 5)} of {len(shared)} shared points",
            "; ".join(missing))


def picture_svg(out):
    """The map picture's SVG: map.svg, or without it (`--map false`) the same drawing inline in report.html; None
    when there is neither."""
    for name in ["map.svg", "report.html"]:
        path = os.path.join(out, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            start = text.find("<svg")
            end = text.find("</svg>", start)
            if start >= 0 and end > start:
                return text[start:end + len("</svg>")]
    return None


def svg_district_fills(out):
    """The fill of every district in the map picture, in layer order (None when there is no picture)."""
    svg = picture_svg(out)
    if svg is None:
        return None
    start = svg.find('<g id="districts"')
    end = svg.find("</g>", start)
    return re.findall(r'<path fill="(#[0-9a-f]{6})"', svg[start:end]), svg


def check_zone_look(c, prefix, gaps, out):
    """The gap zones as QGIS draws them look as in the picture: each zone's outline colour and width class (by the
    style's rules) is the stroke map.svg gives it, in layer order, and each rule's label is in the picture's legend."""
    from qgis.core import QgsRenderContext
    svg = picture_svg(out)
    if gaps is None or svg is None:
        return
    start = svg.find('<g id="gaps"')
    pictured = [] if start < 0 else re.findall(r'<path fill="url\(#[a-z-]+\)" stroke="(#[0-9a-f]{6})"',
                                               svg[start:svg.find("</g>", start)])
    renderer = gaps.renderer().clone()
    ctx = QgsRenderContext()
    renderer.startRender(ctx, gaps.fields())
    drawn = []
    for feature in gaps.getFeatures():
        symbols = renderer.symbolsForFeature(feature, ctx)
        outline = symbols[0].symbolLayer(symbols[0].symbolLayerCount() - 1).color().name() if symbols else None
        drawn.append(outline)
    renderer.stopRender(ctx)
    c.check(drawn == pictured, f"{prefix}gaps: every zone has the picture's outline ({len(drawn)})",
            f"QGIS {drawn[:6]} vs map.svg {pictured[:6]}")
    labels = [rule.label() for rule in renderer.rootRule().children()]
    legend = html.unescape(svg)
    missing = [label for label in labels if label.split(" (")[0] not in legend]
    c.check(labels and not missing, f"{prefix}gaps: the legend's zone classes are the picture's ({len(labels)})",
            f"not in map.svg: {missing}")


def check_one_look(c, prefix, layer, gaps, out):
    """The districts layer as QGIS draws it has the picture's classes: each district in the fill map.svg gives it,
    each class's label in the picture's legend; a zone's label reads the same in any locale."""
    from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils, QgsRenderContext
    from qgis.PyQt.QtCore import QLocale
    found = svg_district_fills(out)
    if not c.check(found is not None, f"{prefix}districts: a map picture to compare with (map.svg or report.html)"):
        return
    fills, svg = found
    renderer = layer.renderer().clone()
    ctx = QgsRenderContext()
    renderer.startRender(ctx, layer.fields())
    drawn = []
    for feature in layer.getFeatures():
        symbol = renderer.symbolForFeature(feature, ctx)
        drawn.append(symbol.color().name() if symbol else None)
    renderer.stopRender(ctx)
    c.check(drawn == fills, f"{prefix}districts: every district has the picture's fill",
            f"QGIS {drawn} vs map.svg {fills}")
    labels = [r.label() for r in renderer.ranges()]
    legend = html.unescape(svg)
    missing = [label for label in labels if label.split(" (")[0] not in legend]
    c.check(labels and not missing, f"{prefix}districts: the legend's classes are the picture's ({len(labels)})",
            f"not in map.svg: {missing}")
    if gaps is None or not gaps.labelsEnabled():
        return
    expression = QgsExpression(gaps.labeling().settings().fieldName)
    old = QLocale()
    bad = []
    for locale in [QLocale(QLocale.German, QLocale.Germany), QLocale(QLocale.English, QLocale.UnitedStates)]:
        QLocale.setDefault(locale)
        for feature in gaps.getFeatures():
            context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(gaps))
            context.setFeature(feature)
            got = expression.evaluate(context)
            want = f"{round(feature['children']):,} barn".replace(",", "\u00a0")
            if got != want:
                bad.append(f"{locale.name()}: {got!r} != {want!r}")
    QLocale.setDefault(old)
    c.check(not bad, f"{prefix}gaps: zone labels read '1 080 barn' in any locale", "; ".join(bad[:3]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--expect-gpkg", action="store_true", help="fail when arenagap.gpkg is missing")
    parser.add_argument("--compare", action="store_true", help="OUT_DIR is the output of arenagap compare")
    parser.add_argument("--zone-rules", action="store_true",
                        help="check that no gap zone overlaps an arena's coverage disc and all lie in the districts")
    parser.add_argument("--analysis-crs", default="EPSG:3006",
                        help="the CRS the project and the GeoPackage should be in (default EPSG:3006)")
    args = parser.parse_args()
    crs = args.analysis_crs
    out = os.path.abspath(args.out_dir)
    c = Checks()

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    messages = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: messages.append((level, tag, message)))
    if args.compare:
        check_compare(c, out)
        finish(c, app, messages)

    expected = {}
    for name in LAYERS:
        path = os.path.join(out, name + ".geojson")
        if c.check(os.path.isfile(path), f"{name}.geojson exists"):
            expected[name] = geojson_facts(path)

    qgs = os.path.join(out, "arenagap.qgs")
    project = QgsProject.instance()
    project_classes = None
    if c.check(os.path.isfile(qgs), "arenagap.qgs exists") and c.check(project.read(qgs), "QGIS reads arenagap.qgs",
                                                                       project.error()):
        with open(qgs, encoding="utf-8") as f:
            text = f.read()
        c.check(all(f"<datasource>./{n}.geojson</datasource>" in text for n in LAYERS),
                "layer paths are relative (./<layer>.geojson)")
        c.check(project.crs().authid() == crs, f"project CRS is {crs}", project.crs().authid())
        order = [layer.name() for layer in project.layerTreeRoot().layerOrder()]
        c.check(order == ORDER, "layer order: arenas, gaps, children, districts", str(order))
        for name in LAYERS:
            found = project.mapLayersByName(name)
            if not c.check(len(found) == 1, f"project has one layer {name}", f"{len(found)} found"):
                continue
            layer = found[0]
            if not c.check(layer.isValid(), f"{name}: valid", layer.source()):
                continue
            if name in expected:
                count, authid = expected[name]
                c.check(layer.featureCount() == count, f"{name}: {count} features", str(layer.featureCount()))
                c.check(layer.crs().authid() == authid, f"{name}: CRS {authid} as in the file", layer.crs().authid())
            names = set(layer.fields().names())
            missing = [f for f in FIELDS[name] if f not in names]
            c.check(not missing, f"{name}: contract fields", "missing " + ", ".join(missing))
            renderer = layer.renderer().type() if layer.renderer() else None
            c.check(renderer == RENDERERS[name], f"{name}: renderer {RENDERERS[name]}", str(renderer))
            check_aliases(c, "", name, layer)
            if name == "arenas":
                project_classes = arena_classes(c, "", layer)
                check_shared_points(c, project, layer, project_classes)

        districts = project.mapLayersByName("districts")
        if districts and districts[0].isValid():
            d = districts[0]
            to_project = QgsCoordinateTransform(d.crs(), project.crs(), project.transformContext())
            extent = to_project.transformBoundingBox(d.extent())
            extent.scale(1.05)
            png = os.path.join(out, "qgis_render.png")
            image, errors = render(project, project.layerTreeRoot().layerOrder(), extent, QSize(1200, 900), png)
            c.check(not errors, "rendering has no errors", "; ".join(errors))
            share, colours = is_not_blank(image)
            c.check(os.path.isfile(png) and share > 0.05 and colours >= 5,
                    f"qgis_render.png is not blank ({share:.0%} drawn, {colours} colours)")
            # The gap classes must apply: render the districts alone and look for their fill colours.
            seen = colours_seen(project, d, extent, dict(enumerate(DISTRICT_COLOURS)))
            scores = [f["gap_score"] for f in d.getFeatures()]
            want = {0 for s in scores if s == 0} | ({5} if any(s and s > 0 for s in scores) else set())
            c.check(want <= seen, "districts are coloured by gap class (no gap, largest gap)",
                    f"classes seen {sorted(seen)}, expected at least {sorted(want)}")
            gaps = project.mapLayersByName("gaps")
            check_one_look(c, "", d, gaps[0] if gaps else None, out)
            check_zone_look(c, "", gaps[0] if gaps else None, out)
            with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
                title = json.load(f)["options"].get("title")
            scores = sorted({f["gap_score"] for f in d.getFeatures()})
            fills = {"no gap": DISTRICT_COLOURS[0]} if 0 in scores else {}
            if scores and scores[-1] > 0:
                fills["largest gap"] = DISTRICT_COLOURS[5]
            check_layout(c, "", project, out, [d], title, fills)
        if args.zone_rules:
            check_zone_rules(c, out, project, crs)

    gpkg = os.path.join(out, "arenagap.gpkg")
    if os.path.isfile(gpkg) or args.expect_gpkg:
        if c.check(os.path.isfile(gpkg), "arenagap.gpkg exists"):
            db = sqlite3.connect(gpkg)
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            for name in LAYERS:
                layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
                if not c.check(layer.isValid(), f"gpkg {name}: valid"):
                    continue
                if name in expected:
                    count = expected[name][0]
                    c.check(layer.featureCount() == count, f"gpkg {name}: {count} features", str(layer.featureCount()))
                c.check(layer.crs().authid() == crs, f"gpkg {name}: CRS {crs}", layer.crs().authid())
                missing = [f for f in FIELDS[name] if f not in set(layer.fields().names())]
                c.check(not missing, f"gpkg {name}: contract fields", "missing " + ", ".join(missing))
                renderer = layer.renderer().type() if layer.renderer() else None
                c.check(renderer == RENDERERS[name], f"gpkg {name}: default style from layer_styles ({renderer})",
                        str(renderer))
                check_aliases(c, "gpkg ", name, layer)
                if name == "districts":
                    check_one_look(c, "gpkg ", layer, None, out)
                if name == "gaps":
                    check_zone_look(c, "gpkg ", layer, out)
                if name == "arenas":
                    classes = arena_classes(c, "gpkg ", layer)
                    if project_classes is not None:
                        c.check(classes == project_classes, "gpkg arenas: the same classes as in the project",
                                f"{classes} vs {project_classes}")
                rtree = f"rtree_{name}_geom"
                if c.check(rtree in tables, f"gpkg {name}: {rtree} exists"):
                    indexed = db.execute(f'SELECT count(*) FROM "{rtree}"').fetchone()[0]
                    features = db.execute(f'SELECT count(*) FROM "{name}" WHERE geom IS NOT NULL').fetchone()[0]
                    c.check(indexed == features, f"gpkg {name}: R-tree holds every feature", f"{indexed} of {features}")
            db.close()
            ogrinfo(c, gpkg)
    for name in LAYERS:
        path = os.path.join(out, name + ".geojson")
        if os.path.isfile(path):
            ogrinfo(c, path)
    if all(os.path.isfile(os.path.join(out, n + ".geojson")) for n in LAYERS):
        check_types(c, out)

    finish(c, app, messages)


def finish(c, app, messages):
    problems = [m for m in messages if m[0] >= Qgis.Warning]
    for level, tag, message in problems[:20]:
        print(f"note  QGIS log ({tag}): {message}")
    QgsProject.instance().clear()
    app.exitQgis()
    print(f"{c.passed} passed, {c.failed} failed")
    sys.stdout.flush()
    sys.stderr.flush()
    # PyQGIS 3.22 crashes when Python destroys the QgsApplication after exitQgis(); every check is done and
    # reported by now, so leave without that teardown.
    os._exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
