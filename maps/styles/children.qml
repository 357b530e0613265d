<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis simplifyDrawingTol="1" labelsEnabled="0" simplifyLocal="1" simplifyDrawingHints="1" simplifyAlgorithm="0" simplifyMaxScale="1" symbologyReferenceScale="-1" minScale="100000000" version="3.22.16-Białowieża" styleCategories="Symbology|Labeling|Fields|Rendering" hasScaleBasedVisibilityFlag="0" maxScale="0">
  <renderer-v2 type="heatmapRenderer" radius_unit="1" max_value="0" weight_expression="coalesce(&quot;children&quot;, 0)" referencescale="-1" radius="500" enableorderby="0" radius_map_unit_scale="3x:0,0,0,0,0,0" quality="2" forceraster="0" symbollevels="0">
    <colorramp type="gradient" name="[source]">
      <Option type="Map">
        <Option type="QString" name="color1" value="255,255,255,0"/>
        <Option type="QString" name="color2" value="63,0,125,220"/>
        <Option type="QString" name="discrete" value="0"/>
        <Option type="QString" name="rampType" value="gradient"/>
        <Option type="QString" name="stops" value="0.15;218,218,235,60:0.45;158,154,200,140:0.75;106,81,163,190"/>
      </Option>
      <prop k="color1" v="255,255,255,0"/>
      <prop k="color2" v="63,0,125,220"/>
      <prop k="discrete" v="0"/>
      <prop k="rampType" v="gradient"/>
      <prop k="stops" v="0.15;218,218,235,60:0.45;158,154,200,140:0.75;106,81,163,190"/>
    </colorramp>
  </renderer-v2>
  <blendMode>0</blendMode>
  <featureBlendMode>0</featureBlendMode>
  <layerOpacity>1</layerOpacity>
  <layerGeometryType>0</layerGeometryType>
  <aliases>
    <alias name="Barn" field="children" index="0"/>
    <alias name="Område, kod" field="district_id" index="1"/>
    <alias name="Avstånd till närmaste arena (m)" field="nearest_any_m" index="2"/>
    <alias name="Närmaste arena, id" field="nearest_any_id" index="3"/>
    <alias name="Närmaste arena" field="nearest_any_name" index="4"/>
    <alias name="Avstånd till närmaste familjecentral (m)" field="nearest_familjecentral_m" index="5"/>
    <alias name="Närmaste familjecentral, id" field="nearest_familjecentral_id" index="6"/>
    <alias name="Avstånd till närmaste öppen förskola (m)" field="nearest_oppen_forskola_m" index="7"/>
    <alias name="Närmaste öppen förskola, id" field="nearest_oppen_forskola_id" index="8"/>
    <alias name="Avstånd till närmaste bibliotek (m)" field="nearest_bibliotek_m" index="9"/>
    <alias name="Närmaste bibliotek, id" field="nearest_bibliotek_id" index="10"/>
    <alias name="Avstånd till närmaste bemannad lekplats (m)" field="nearest_bemannad_lekplats_m" index="11"/>
    <alias name="Närmaste bemannad lekplats, id" field="nearest_bemannad_lekplats_id" index="12"/>
    <alias name="Nära en arena" field="covered" index="13"/>
  </aliases>
</qgis>
