<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis simplifyDrawingTol="1" labelsEnabled="0" simplifyLocal="1" simplifyDrawingHints="1" simplifyAlgorithm="0" simplifyMaxScale="1" symbologyReferenceScale="-1" minScale="100000000" version="3.22.16-Białowieża" styleCategories="Symbology|Labeling|Rendering" hasScaleBasedVisibilityFlag="0" maxScale="0">
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
</qgis>
