#!/usr/bin/python3
"""Builds the QGIS styles (maps/styles/*.qml) and the projects (maps/arenagap.qgs for analyze, maps/compare.qgs for
a scenario folder of compare) with PyQGIS.

The committed .qml and .qgs files are this script's output; `arenagap` embeds them and copies them into every
output folder. Edit the styles here, rerun, commit the results:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 maps/make_maps.py

(Debian's PyQGIS lives in the system Python, hence /usr/bin/python3.) The project is saved next to four
one-feature GeoJSON files in WGS 84 (the default output CRS), so that its layers point to ./districts.geojson and
so on, relative to the project file. `arenagap` rewrites each layer's CRS in the copy it writes, to the CRS the
GeoJSON file declares, because QGIS takes a layer's CRS from the project rather than from the file.
"""

import json
import os
import re
import shutil
import sys
import tempfile

# Qt orders XML attributes by hash: a fixed seed keeps the generated files the same from one run to the next.
os.environ.setdefault("QT_HASH_SEED", "0")

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFillSymbol,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsGraduatedSymbolRenderer,
    QgsHeatmapRenderer,
    QgsLinePatternFillSymbolLayer,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendStyle,
    QgsLineSymbol,
    QgsMapLayer,
    QgsMapLayerLegendUtils,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsPointDisplacementRenderer,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsReferencedRectangle,
    QgsRendererCategory,
    QgsRendererRange,
    QgsRuleBasedRenderer,
    QgsScaleBarSettings,
    QgsSimpleFillSymbolLayer,
    QgsSimpleLineSymbolLayer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

HERE = os.path.dirname(os.path.abspath(__file__))

# The output field contract (see src/output): the styles use these names.
FIELDS = {
    "districts": {
        "district_id": "", "district_name": "", "children": 0.5, "arenas_total": 1, "arenas_familjecentral": 1,
        "arenas_oppen_forskola": 1, "arenas_bibliotek": 1, "arenas_bemannad_lekplats": 1, "children_covered": 0.5,
        "children_uncovered": 0.5, "coverage_share": 0.5, "children_covered_familjecentral": 0.5,
        "children_covered_oppen_forskola": 0.5, "children_covered_bibliotek": 0.5,
        "children_covered_bemannad_lekplats": 0.5, "mean_distance_m": 0.5, "p90_distance_m": 0.5,
        "mean_distance_familjecentral_m": 0.5, "mean_distance_oppen_forskola_m": 0.5, "mean_distance_bibliotek_m": 0.5,
        "mean_distance_bemannad_lekplats_m": 0.5,
        "has_familjecentral": True, "need_weight": 0.5, "gap_score": 0.5, "gap_rank": 1,
        "gap_score_unweighted": 0.5, "gap_rank_unweighted": 1,
    },
    "gaps": {"zone_id": 1, "children": 0.5, "nearest_arena_m": 0.5, "nearest_arena_min_m": 0.5, "districts": "",
             "gap_score": 0.5, "gap_rank": 1},
    "children": {"children": 0.5, "district_id": "", "nearest_any_m": 0.5, "nearest_any_id": "", "nearest_any_name": "",
                 "nearest_familjecentral_m": 0.5, "nearest_familjecentral_id": "", "nearest_oppen_forskola_m": 0.5,
                 "nearest_oppen_forskola_id": "", "nearest_bibliotek_m": 0.5, "nearest_bibliotek_id": "",
                 "nearest_bemannad_lekplats_m": 0.5, "nearest_bemannad_lekplats_id": "", "covered": True},
    "arenas": {"arena_id": "", "name": "", "kind": "familjecentral", "capacity": 0.5, "district_id": "", "radius_m": 0.5,
               "children_within_radius": 0.5},
}
GEOMETRY = {"districts": "MultiPolygon", "gaps": "MultiPolygon", "children": "Point", "arenas": "Point"}
# Top of the layer list first.
ORDER = ["arenas", "gaps", "children", "districts"]
# Göteborg in SWEREF 99 TM.
GOTEBORG = QgsRectangle(295000, 6377000, 337500, 6419000)

STYLE_CATEGORIES = QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Rendering


def text_format(size, bold=False):
    fmt = QgsTextFormat()
    font = fmt.font()
    font.setBold(bold)
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setColor(QColor("#222222"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor(255, 255, 255, 220))
    fmt.setBuffer(buffer)
    return fmt


def labels(layer, expression, size, bold=False, max_scale_denominator=None):
    settings = QgsPalLayerSettings()
    settings.fieldName = expression
    settings.isExpression = True
    settings.setFormat(text_format(size, bold))
    if layer.geometryType() == 2:  # polygons: horizontal label inside the polygon
        settings.placement = QgsPalLayerSettings.OverPoint
        settings.fitInPolygonOnly = False
    else:
        settings.placement = QgsPalLayerSettings.OrderedPositionsAroundPoint
        settings.dist = 1.5
    if max_scale_denominator:
        settings.scaleVisibility = True
        settings.minimumScale = max_scale_denominator
        settings.maximumScale = 0
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def districts_style(layer):
    """Graduated on gap_score. These classes are placeholders: arenagap writes every run's own classes (quantiles of
    its scores with a "no gap" class, src/output/symbology/classes.rs) and label (src/output/symbology/text.rs) into
    this renderer, in the style files, the project and the GeoPackage alike."""
    colours = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]

    def fill(colour):
        return QgsFillSymbol.createSimple({"color": colour, "outline_color": "#5a5a5a", "outline_width": "0.26",
                                           "outline_width_unit": "MM"})

    ranges = [QgsRendererRange(0.0, 0.0, fill("#e4e4e4"), "Inget glapp (0) (no gap)", True)]
    for k, colour in enumerate(colours):
        ranges.append(QgsRendererRange(float(k), float(k + 1), fill(colour), f"> {k} – {k + 1}", True))
    renderer = QgsGraduatedSymbolRenderer("gap_score", ranges)
    renderer.setGraduatedMethod(QgsGraduatedSymbolRenderer.GraduatedColor)
    layer.setRenderer(renderer)
    labels(layer, "\"district_name\"", 8)


def gaps_style(layer):
    """Outlined zones with a light hatch; the three largest gaps stand out. arenagap sets the rules' filter, labels,
    colours, widths and hatch from src/output/symbology/zones.rs (the map picture draws the same); a test fails
    when the values here and there differ."""

    def symbol(outline, width, hatch):
        sym = QgsFillSymbol()
        sym.deleteSymbolLayer(0)
        base = QgsSimpleFillSymbolLayer(QColor(255, 255, 255, 40), Qt.SolidPattern, QColor(0, 0, 0, 0), Qt.NoPen)
        sym.appendSymbolLayer(base)
        pattern = QgsLinePatternFillSymbolLayer()
        pattern.setLineAngle(45)
        pattern.setDistance(2.0)
        pattern.setLineWidth(0.3)
        pattern.setColor(QColor(hatch))
        pattern.subSymbol().setColor(QColor(hatch))
        sym.appendSymbolLayer(pattern)
        line = QgsSimpleLineSymbolLayer(QColor(outline), width)
        sym.appendSymbolLayer(line)
        return sym

    root = QgsRuleBasedRenderer.Rule(None)
    top = QgsRuleBasedRenderer.Rule(symbol("#67000d", 1.0, "#cb181d"), 0, 0, '"gap_rank" <= 3',
                                    "Glappzon, störst glapp (1.–3.) (gap zone, three largest)")
    rest = QgsRuleBasedRenderer.Rule(symbol("#3f3f3f", 0.7, "#737373"), 0, 0, "ELSE",
                                     "Glappzon (gap zone)")
    root.appendChild(top)
    root.appendChild(rest)
    layer.setRenderer(QgsRuleBasedRenderer(root))
    # arenagap writes the label (src/output/symbology/text.rs): the children count with no-break spaces, as the map.
    labels(layer, "\"children\" || ' barn'", 9, bold=True)


def children_style(layer):
    """A heatmap of children (each point weighted by its child count)."""
    ramp = QgsGradientColorRamp(QColor(255, 255, 255, 0), QColor(63, 0, 125, 220), False, [
        QgsGradientStop(0.15, QColor(218, 218, 235, 60)),
        QgsGradientStop(0.45, QColor(158, 154, 200, 140)),
        QgsGradientStop(0.75, QColor(106, 81, 163, 190)),
    ])
    renderer = QgsHeatmapRenderer()
    renderer.setWeightExpression('coalesce("children", 0)')
    renderer.setRadius(500)
    renderer.setRadiusUnit(QgsUnitTypes.RenderMapUnits)
    renderer.setColorRamp(ramp)
    renderer.setMaximumValue(0)  # automatic
    renderer.setRenderQuality(2)
    layer.setRenderer(renderer)


def arenas_style(layer):
    """One symbol per kind of arena: the four default kinds. arenagap makes these classes again from its kind
    table (src/output/symbology.rs) and uses this style as the template for the rest; a test there checks that
    the defaults give this file back, so change a kind here and there together."""
    kinds = [
        ("familjecentral", "Familjecentral (family centre)", "star", "#08519c", 5.0),
        ("oppen_forskola", "Öppen förskola (open preschool)", "circle", "#238b45", 3.4),
        ("bibliotek", "Bibliotek (library)", "square", "#252525", 3.2),
        ("bemannad_lekplats", "Bemannad lekplats (staffed playground)", "triangle", "#00a0b0", 3.8),
    ]
    categories = []
    for value, label, shape, colour, size in kinds:
        sym = QgsMarkerSymbol.createSimple({"name": shape, "color": colour, "outline_color": "#ffffff",
                                            "outline_width": "0.4", "size": str(size)})
        categories.append(QgsRendererCategory(value, sym, label, True))
    # Arenas at one point (a family centre and an open preschool in one building) are drawn side by side on a ring
    # around a small grey dot, as map.png draws them (src/output/map: the same ring), so none hides another.
    displaced = QgsPointDisplacementRenderer()
    displaced.setEmbeddedRenderer(QgsCategorizedSymbolRenderer("kind", categories))
    displaced.setPlacement(QgsPointDisplacementRenderer.Ring)
    displaced.setTolerance(0.3)
    displaced.setToleranceUnit(QgsUnitTypes.RenderMillimeters)
    displaced.setCircleColor(QColor("#5a5a5a"))
    displaced.setCircleWidth(0.3)
    displaced.setCenterSymbol(QgsMarkerSymbol.createSimple({"name": "circle", "color": "#5a5a5a", "size": "1.2",
                                                            "outline_style": "no"}))
    displaced.setLabelAttributeName("")
    layer.setRenderer(displaced)
    labels(layer, '"name"', 8, max_scale_denominator=60000)


STYLES = {"districts": districts_style, "gaps": gaps_style, "children": children_style, "arenas": arenas_style}

# --- The compare project: a scenario against the baseline --------------------------------------------------------
# The change classes and their colours: the same as CHANGE_CLASSES in src/output/symbology.rs (the map picture);
# a test there checks that these files carry them.
CHANGE = [
    ("better", "Bättre (better)", "#c7e9c0", "#1a9850"),
    ("worse", "Sämre (worse)", "#fcbba1", "#d73027"),
    ("unchanged", "Oförändrad (unchanged)", "#f0f0f0", "#969696"),
    ("new", "Ny i scenariots befolkning (new in the scenario's population)", "#abd9e9", "#4575b4"),
    ("gone", "Inte i scenariots befolkning (not in the scenario's population)", "#e0e0e0", "#bababa"),
]
STATUS = [
    ("added", "Ny arena (added)", "star", "#6a3d9a", 6.0),
    ("closed", "Stängd arena (closed)", "cross2", "#d73027", 5.0),
    ("existing", "Befintlig arena (existing)", "circle", "#737373", 2.4),
]
KINDS = ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"]


def diff_fields():
    districts = {"district_id": "", "district_name": "", "change": "better"}
    for name, sample in [("children", 0.5), ("children_covered", 0.5), ("coverage_share", 0.5),
                         ("mean_distance_m", 0.5), ("gap_score", 0.5), ("gap_rank", 1)]:
        for side in ["before", "after", "change"]:
            districts[f"{name}_{side}"] = sample
    districts.update({"has_familjecentral_before": True, "has_familjecentral_after": True,
                      "has_familjecentral_change": "gained"})
    children = {"change": "better", "district_id": "", "children_before": 0.5, "children_after": 0.5,
                "covered_before": True, "covered_after": True, "nearest_any_m_before": 0.5,
                "nearest_any_m_after": 0.5, "nearest_any_m_change": 0.5, "nearest_any_name_before": "",
                "nearest_any_name_after": ""}
    for k in KINDS:
        children[f"nearest_{k}_m_before"] = 0.5
        children[f"nearest_{k}_m_after"] = 0.5
    arenas = dict(FIELDS["arenas"], status="added")
    return {"districts_diff": districts, "children_diff": children, "arenas": arenas}


def districts_diff_style(layer):
    """Districts by how the scenario changes them: better, worse, unchanged (by gap score, then children
    covered, then mean distance: src/measure/compare.rs)."""
    categories = []
    for value, label, fill, _ in CHANGE[:3]:
        sym = QgsFillSymbol.createSimple({"color": fill, "outline_color": "#5a5a5a", "outline_width": "0.26",
                                          "outline_width_unit": "MM"})
        categories.append(QgsRendererCategory(value, sym, label, True))
    layer.setRenderer(QgsCategorizedSymbolRenderer("change", categories))
    labels(layer, "\"district_name\" || if(\"gap_rank_change\" <> 0, '\\n' || 'glapp nr ' || \"gap_rank_before\" || ' → ' "
                  "|| \"gap_rank_after\", '')", 8)


def children_diff_style(layer):
    """The child points whose nearest arena or coverage changed, by how."""
    categories = []
    for value, label, _, colour in CHANGE:
        size = "1.0" if value in ("unchanged", "gone") else "1.6"
        sym = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "outline_style": "no",
                                            "size": size})
        categories.append(QgsRendererCategory(value, sym, label, True))
    layer.setRenderer(QgsCategorizedSymbolRenderer("change", categories))


def arenas_status_style(layer):
    """The scenario's arenas: added ones large and green, closed ones a red cross, the rest small and grey."""
    categories = []
    for value, label, shape, colour, size in STATUS:
        props = {"name": shape, "color": colour, "outline_color": "#ffffff" if shape != "cross2" else colour,
                 "outline_width": "0.4", "size": str(size)}
        categories.append(QgsRendererCategory(value, QgsMarkerSymbol.createSimple(props), label, True))
    layer.setRenderer(QgsCategorizedSymbolRenderer("status", categories))
    labels(layer, "if(\"status\" <> 'existing', \"name\", '')", 8)


COMPARE_STYLES = {"districts_diff": districts_diff_style, "children_diff": children_diff_style,
                  "arenas": arenas_status_style}
# The style files of the compare project, by layer: the arenas one is not the analyze project's.
COMPARE_STYLE_FILES = {"districts_diff": "districts_diff", "children_diff": "children_diff",
                       "arenas": "arenas_status"}


# --- The print layout: one A4 page a planner exports to PDF (Project → Layouts → arenagap) ------------------------
# Items are found by their ids. arenagap writes the run's words and extent into them (src/output/qgis/layout.rs):
# the title, subtitle and sources labels, the legend's layer headings (from src/output/symbology/text.rs) and the
# map's extent (the districts, in the project CRS). Positions in millimetres on A4 landscape (297 × 210).
LAYOUT_NAME = "arenagap"


def layout_label(layout, item_id, text, x, y, w, h, size, bold=False):
    label = QgsLayoutItemLabel(layout)
    label.setId(item_id)
    label.setText(text)
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    label.setFont(font)
    label.setFontColor(QColor("#222222"))
    label.setVAlign(Qt.AlignTop)
    label.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    label.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(label)
    return label


def print_layout(project, layers, order):
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()  # one A4 landscape page
    layout.setName(LAYOUT_NAME)
    layout_label(layout, "title", "{title}", 10, 7, 277, 10, 15, bold=True)
    layout_label(layout, "subtitle", "{subtitle}", 10, 17, 277, 7, 9)

    map_item = QgsLayoutItemMap(layout)
    map_item.setId("map")
    map_item.attemptMove(QgsLayoutPoint(10, 26, QgsUnitTypes.LayoutMillimeters))
    map_item.attemptResize(QgsLayoutSize(200, 164, QgsUnitTypes.LayoutMillimeters))
    map_item.setFrameEnabled(True)
    map_item.setFrameStrokeColor(QColor("#5a5a5a"))
    layout.addLayoutItem(map_item)
    # (A new map item has no extent to zoom from: set one, which resizes the item, then size it back and zoom.)
    map_item.setExtent(GOTEBORG)
    map_item.attemptResize(QgsLayoutSize(200, 164, QgsUnitTypes.LayoutMillimeters))
    map_item.zoomToExtent(GOTEBORG)

    north = QgsLayoutItemPicture(layout)
    north.setId("north_arrow")
    north.setPicturePath(":/images/north_arrows/layout_default_north_arrow.svg")
    north.setLinkedMap(map_item)
    north.setNorthMode(QgsLayoutItemPicture.GridNorth)
    north.attemptMove(QgsLayoutPoint(197, 29, QgsUnitTypes.LayoutMillimeters))
    north.attemptResize(QgsLayoutSize(10, 14, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(north)

    bar = QgsLayoutItemScaleBar(layout)
    bar.setId("scale_bar")
    bar.setStyle("Single Box")
    bar.setLinkedMap(map_item)
    bar.setUnits(QgsUnitTypes.DistanceKilometers)
    bar.setUnitLabel("km")
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    # The segment length follows the map: whole, round kilometres for a bar 25 to 50 mm long, whatever the extent.
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    bar.setMinimumBarWidth(25)
    bar.setMaximumBarWidth(50)
    bar_text = QgsTextFormat()
    bar_text.setSize(8)
    bar_text.setColor(QColor("#222222"))
    bar.setTextFormat(bar_text)
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 220))
    bar.attemptMove(QgsLayoutPoint(13, 178, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(bar)

    legend = QgsLayoutItemLegend(layout)
    legend.setId("legend")
    legend.setTitle("Teckenförklaring (legend)")
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.clear()
    for name in order:
        node = root.addLayer(layers[name])
        node.setCustomProperty("legend/title-label", "{layer:%s}" % name)
        # Long class labels break before their English gloss, so that the legend fits beside the map.
        renderer = layers[name].renderer()
        if isinstance(renderer, QgsRuleBasedRenderer):
            for index, rule in enumerate(renderer.rootRule().children()):
                cut = rule.label().rfind(" (")
                if cut > 0:
                    label = rule.label()[:cut] + "\n" + rule.label()[cut + 1:]
                    QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, index, label)
    for style, size, bold in [(QgsLegendStyle.Title, 11, True), (QgsLegendStyle.Subgroup, 9, True),
                              (QgsLegendStyle.SymbolLabel, 8, False)]:
        font = QFont()
        font.setPointSizeF(size)
        font.setBold(bold)
        legend.setStyleFont(style, font)
    legend.setWrapString("\n")
    legend.attemptMove(QgsLayoutPoint(215, 26, QgsUnitTypes.LayoutMillimeters))
    legend.setResizeToContents(True)
    layout.addLayoutItem(legend)

    layout_label(layout, "sources", "{sources}", 10, 192, 277, 14, 7)
    project.layoutManager().addLayout(layout)


def stable_keys(text):
    """Rule keys and layout item ids are random UUIDs: number them instead (each the same number wherever it
    appears, so that a map's legend and scale bar still point to it), so that a rebuild changes nothing."""
    counter = iter(range(1, 1000))
    text = re.sub(r'key="\{[0-9a-f-]{36}\}"', lambda m: 'key="{00000000-0000-0000-0000-%012d}"' % next(counter), text)
    numbers = {}

    def number(m):
        uuid = numbers.setdefault(m.group(2), "{00000000-0000-0000-0001-%012d}" % (len(numbers) + 1))
        return '%s="%s"' % (m.group(1), uuid)

    return re.sub(r'\b(uuid|mapUuid|templateUuid|map_uuid)="(\{[0-9a-f-]{36}\})"', number, text)


def rewrite(path, change):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(change(text))


def write_sample(folder, name, fields, geometry_type):
    """A one-feature GeoJSON file in WGS 84 with the layer's contract fields."""
    point = [11.97, 57.70]
    ring = [[11.96, 57.69], [11.98, 57.69], [11.98, 57.71], [11.96, 57.71], [11.96, 57.69]]
    geometry = ({"type": "Point", "coordinates": point} if geometry_type == "Point"
                else {"type": "MultiPolygon", "coordinates": [[ring]]})
    feature = {"type": "Feature", "properties": fields, "geometry": geometry}
    path = os.path.join(folder, name + ".geojson")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "name": name, "features": [feature]}, f, ensure_ascii=False)
    return path


def build(project_file, title, order, fields, geometry, styles, style_files):
    """Builds one project (layers `order`, top first) and its layers' style files, and writes both into maps/."""
    styles_dir = os.path.join(HERE, "styles")
    os.makedirs(styles_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="arenagap-maps-")
    try:
        project = QgsProject.instance()
        project.clear()
        project.setTitle(title)
        project.setCrs(QgsCoordinateReferenceSystem("EPSG:3006"))
        metadata = project.metadata()
        metadata.setAuthor("arenagap")
        project.setMetadata(metadata)
        project.writeEntryBool("Paths", "/Absolute", False)
        project.viewSettings().setDefaultViewExtent(
            QgsReferencedRectangle(GOTEBORG, QgsCoordinateReferenceSystem("EPSG:3006")))
        layers = {}
        for name in reversed(order):  # bottom first: addMapLayer puts each new layer on top
            layer = QgsVectorLayer(write_sample(work, name, fields[name], geometry[name]), name, "ogr")
            if not layer.isValid():
                sys.exit(f"{name}: the sample layer is not valid")
            styles[name](layer)
            qml = os.path.join(styles_dir, style_files[name] + ".qml")
            message, ok = layer.saveNamedStyle(qml, STYLE_CATEGORIES)
            if not ok:
                sys.exit(f"{name}: cannot save the style: {message}")
            rewrite(qml, stable_keys)
            # Load it back, so the project carries exactly what the .qml file says.
            message, ok = layer.loadNamedStyle(qml, STYLE_CATEGORIES)
            if not ok:
                sys.exit(f"{name}: cannot load the style back: {message}")
            project.addMapLayer(layer)
            layers[name] = layer
        root = project.layerTreeRoot()
        root.setHasCustomLayerOrder(False)
        for index, name in enumerate(order):
            node = root.findLayer(layers[name].id())
            clone = node.clone()
            root.insertChildNode(index, clone)
            root.removeChildNode(node)
        print_layout(project, layers, order)
        qgs = os.path.join(work, project_file)
        if not project.write(qgs):
            sys.exit("cannot save the project: " + project.error())
        with open(qgs, encoding="utf-8") as f:
            text = stable_keys(f.read())
        # No user names, dates or random layer ids in the committed file: it is the same on every rebuild.
        text = re.sub(r' saveUser(Full)?="[^"]*"| saveDateTime="[^"]*"', "", text)
        # (Keep the name_uuid shape: QGIS 3.22 gave some layers with ids like "gaps_layer" new ids on load, and
        # their layer tree entries then pointed nowhere.)
        names = ["arenas", "gaps", "children", "districts", "Annotations"] + [n for n in order if "_" in n]
        pattern = "|".join(sorted(names, key=len, reverse=True))
        text = re.sub(r"\b(" + pattern + r")_[0-9a-f]{8}(_[0-9a-f]{4}){3}_[0-9a-f]{12}\b",
                      lambda m: "%s_00000000_0000_0000_0000_%012d" % (m.group(1), names.index(m.group(1)) + 1), text)
        text = re.sub(r"<creation>[^<]*</creation>", "<creation></creation>", text)
        with open(os.path.join(HERE, project_file), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", os.path.join(HERE, project_file), "and", ", ".join(style_files[n] + ".qml" for n in order))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        QgsProject.instance().clear()


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    build("arenagap.qgs", "arenagap: närhet till familjecentrerade arenor / nearness to family-centred arenas",
          ORDER, FIELDS, GEOMETRY, STYLES, {n: n for n in ORDER})
    build("compare.qgs", "arenagap: scenario mot nuläget / a scenario against the baseline",
          ["arenas", "children_diff", "districts_diff"], diff_fields(),
          {"districts_diff": "MultiPolygon", "children_diff": "Point", "arenas": "Point"}, COMPARE_STYLES,
          COMPARE_STYLE_FILES)
    app.exitQgis()


if __name__ == "__main__":
    main()
