//! Small edits of the QGIS XML the project and styles are made of, by text (so that everything not touched stays
//! byte for byte as `maps/make_maps.py` wrote it): a start tag, one of its attributes read or set.

/// The start tag (`<Name … >`) that begins at `at`.
pub(super) fn start_tag(xml: &str, at: usize) -> &str {
    let len = xml[at..].find('>').map_or(xml.len() - at, |i| i + 1);
    &xml[at..at + len]
}

/// The value of attribute `name` in a start tag.
pub(super) fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// `tag` (a start tag) with attribute `name` set to `value` (already escaped); unchanged when it has none.
pub(super) fn set_attribute(tag: &str, name: &str, value: &str) -> String {
    let key = format!(" {name}=\"");
    let Some(i) = tag.find(&key) else { return tag.to_string() };
    let start = i + key.len();
    let Some(len) = tag[start..].find('"') else { return tag.to_string() };
    format!("{}{value}{}", &tag[..start], &tag[start + len..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_and_set_in_place() {
        let xml = "<a><rule symbol=\"0\" label=\"x\"/></a>";
        let tag = start_tag(xml, 3);
        assert_eq!(tag, "<rule symbol=\"0\" label=\"x\"/>");
        assert_eq!((attribute(tag, "symbol"), attribute(tag, "bol"), attribute(tag, "name")), (Some("0"), None, None));
        assert_eq!(set_attribute(tag, "label", "y &amp; z"), "<rule symbol=\"0\" label=\"y &amp; z\"/>");
        assert_eq!(set_attribute(tag, "name", "n"), tag);
    }
}
