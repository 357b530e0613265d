//! The tag mapping of `--arenas-osm`: an ordered list of rules, each a kind, tag conditions that must all hold and
//! an optional name pattern; the first rule that matches an element decides its kind. The default is
//! `data/osm-arenas.toml` (built in); `--arenas-osm-rules FILE` reads another in the same form.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::kinds::{KindId, Kinds};

/// The default mapping's text (`data/osm-arenas.toml`).
pub const DEFAULT_RULES: &str = include_str!("../../../data/osm-arenas.toml");

/// The keys an arena's name is taken from, in order: the first that is set.
pub const NAME_TAGS: [&str; 4] = ["name", "name:sv", "name:fi", "name:en"];

/// One condition on an element's tags. A tag value holding several values separated by `;` matches when one of
/// them does.
#[derive(Clone, Debug, PartialEq)]
pub enum TagCondition {
    /// `key=v1|v2`: the tag has one of these values.
    Is(String, Vec<String>),
    /// `key=*`: the tag is there.
    Present(String),
    /// `key!=v1|v2`: the tag is not there, or has none of these values.
    IsNot(String, Vec<String>),
    /// `key!=*`: the tag is not there.
    Absent(String),
}

impl TagCondition {
    /// Parses `key=value`, `key=v1|v2`, `key=*`, `key!=v1|v2` or `key!=*`.
    pub fn parse(text: &str) -> std::result::Result<TagCondition, String> {
        let (key, negated, value) = match text.split_once("!=") {
            Some((k, v)) => (k, true, v),
            None => match text.split_once('=') {
                Some((k, v)) => (k, false, v),
                None => return Err(format!("'{text}' is not a tag condition: write key=value, key=*, or key!=value")),
            },
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("'{text}': the key is empty"));
        }
        let value = value.trim();
        if value == "*" {
            return Ok(if negated { TagCondition::Absent(key.into()) } else { TagCondition::Present(key.into()) });
        }
        let values: Vec<String> = value.split('|').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(format!("'{text}': a value is empty (use key=* for any value)"));
        }
        Ok(if negated { TagCondition::IsNot(key.into(), values) } else { TagCondition::Is(key.into(), values) })
    }

    /// Whether `tags` meet it.
    pub fn holds(&self, tags: &[(&str, &str)]) -> bool {
        let value = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let one_of = |v: &str, values: &[String]| v.split(';').any(|part| values.iter().any(|x| x == part.trim()));
        match self {
            TagCondition::Is(key, values) => value(key).is_some_and(|v| one_of(v, values)),
            TagCondition::Present(key) => value(key).is_some(),
            TagCondition::IsNot(key, values) => !value(key).is_some_and(|v| one_of(v, values)),
            TagCondition::Absent(key) => value(key).is_none(),
        }
    }

    /// Whether it asks for a tag to be there (`=`), rather than for one not to be.
    fn is_positive(&self) -> bool {
        matches!(self, TagCondition::Is(..) | TagCondition::Present(_))
    }
}

/// One rule: elements whose tags meet every condition (and whose name matches the pattern, when there is one) are
/// arenas of `kind`, or left out when `kind` is `none`.
#[derive(Clone, Debug)]
pub struct OsmArenaRule {
    /// A kind id, or `none`.
    pub kind: String,
    /// Conditions that must all hold.
    pub tags: Vec<TagCondition>,
    /// A pattern one of the [`NAME_TAGS`] must match (case-insensitive, unanchored).
    pub name: Option<regex::Regex>,
}

impl OsmArenaRule {
    /// Whether an element with these tags matches.
    pub fn matches(&self, tags: &[(&str, &str)]) -> bool {
        self.tags.iter().all(|c| c.holds(tags))
            && match &self.name {
                None => true,
                Some(pattern) => tags.iter().any(|(k, v)| NAME_TAGS.contains(k) && pattern.is_match(v)),
            }
    }
}

/// The tag mapping: rules in order, and the file they came from (`None`: the built-in default).
#[derive(Clone, Debug)]
pub struct OsmArenaRules {
    /// The rules, tried in order.
    pub rules: Vec<OsmArenaRule>,
    /// The profile file, for messages (`None`: the built-in `data/osm-arenas.toml`).
    pub file: Option<PathBuf>,
}

/// A profile file as written.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Profile {
    #[serde(default)]
    rule: Vec<RuleText>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RuleText {
    kind: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    name: Option<String>,
}

impl OsmArenaRules {
    /// The built-in default (`data/osm-arenas.toml`).
    pub fn builtin() -> Result<OsmArenaRules> {
        OsmArenaRules::parse(DEFAULT_RULES, None)
    }

    /// Reads a profile file.
    pub fn from_file(path: &Path) -> Result<OsmArenaRules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        OsmArenaRules::parse(&text, Some(path))
    }

    /// Parses a profile's text; errors name `file` (or the built-in default) and the rule.
    pub fn parse(text: &str, file: Option<&Path>) -> Result<OsmArenaRules> {
        let file_path = file.map(Path::to_path_buf);
        let error = |message: String| Error::input(file.unwrap_or(Path::new(BUILTIN_NAME)), message);
        let profile: Profile =
            toml::from_str(text).map_err(|e| error(format!("is not a valid OpenStreetMap tag mapping: {e}")))?;
        if profile.rule.is_empty() {
            return Err(error("has no [[rule]]: no element would be an arena".into()));
        }
        let mut rules = Vec::with_capacity(profile.rule.len());
        for (n, rule) in profile.rule.iter().enumerate() {
            let at = |m: String| error(format!("rule {} (kind {}): {m}", n + 1, rule.kind));
            let tags = rule.tags.iter().map(|t| TagCondition::parse(t)).collect::<std::result::Result<Vec<_>, _>>();
            let tags = tags.map_err(at)?;
            if !tags.iter().any(TagCondition::is_positive) {
                return Err(at("needs at least one tag that must be there (key=value or key=*), or every untagged \
                               node would match"
                    .into()));
            }
            let name = match &rule.name {
                None => None,
                Some(p) => Some(
                    regex::RegexBuilder::new(p)
                        .case_insensitive(true)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| at(format!("name pattern '{p}' is not a regular expression: {e}")))?,
                ),
            };
            rules.push(OsmArenaRule { kind: rule.kind.trim().to_string(), tags, name });
        }
        Ok(OsmArenaRules { rules, file: file_path })
    }

    /// The file to name in messages.
    pub fn source(&self) -> PathBuf {
        self.file.clone().unwrap_or_else(|| PathBuf::from(BUILTIN_NAME))
    }

    /// The first rule that matches an element with these tags.
    pub fn classify(&self, tags: &[(&str, &str)]) -> Option<&OsmArenaRule> {
        self.rules.iter().find(|r| r.matches(tags))
    }

    /// Whether a rule maps to `kind`.
    pub fn targets(&self, kind: &str) -> bool {
        self.rules.iter().any(|r| r.kind == kind)
    }

    /// Each rule's kind in `kinds` (`None` for `none`): an error naming the profile and listing the kinds when one
    /// is not a kind.
    pub fn kind_ids(&self, kinds: &Kinds) -> Result<Vec<Option<KindId>>> {
        self.rules
            .iter()
            .enumerate()
            .map(|(n, rule)| {
                if rule.kind == "none" {
                    return Ok(None);
                }
                kinds.find(&rule.kind).map(Some).ok_or_else(|| {
                    Error::input(&self.source(), format!("rule {}: {}", n + 1, kinds.unknown(&rule.kind)))
                })
            })
            .collect()
    }
}

/// How the built-in mapping is named in messages.
const BUILTIN_NAME: &str = "data/osm-arenas.toml (built in)";

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of<'a>(rules: &'a OsmArenaRules, tags: &[(&str, &str)]) -> Option<&'a str> {
        rules.classify(tags).map(|r| r.kind.as_str())
    }

    #[test]
    fn the_default_mapping_reads_and_maps_the_issue_s_examples() {
        let rules = OsmArenaRules::builtin().expect("data/osm-arenas.toml parses");
        assert_eq!(kind_of(&rules, &[("amenity", "library"), ("name", "Oodi")]), Some("bibliotek"));
        assert_eq!(kind_of(&rules, &[("leisure", "playground"), ("supervised", "yes")]), Some("bemannad_lekplats"));
        assert_eq!(kind_of(&rules, &[("leisure", "playground")]), Some("lekplats"));
        assert_eq!(kind_of(&rules, &[("leisure", "playground"), ("supervised", "no")]), Some("lekplats"));
        let fc = [("amenity", "social_facility"), ("social_facility:for", "family")];
        assert_eq!(kind_of(&rules, &fc), Some("familjecentral"));
        let several = [("amenity", "social_facility"), ("social_facility:for", "senior; child")];
        assert_eq!(kind_of(&rules, &several), Some("familjecentral"), "one of several ;-separated values");
        let cc = [("amenity", "community_centre"), ("community_centre:for", "child")];
        assert_eq!(kind_of(&rules, &cc), Some("familjecentral"));
        // Not for families: no kind.
        assert_eq!(kind_of(&rules, &[("amenity", "social_facility"), ("social_facility:for", "senior")]), None);
        assert_eq!(kind_of(&rules, &[("amenity", "community_centre"), ("name", "Luckan")]), None);
        let day_care =
            [("amenity", "social_facility"), ("social_facility", "day_care"), ("social_facility:for", "child")];
        assert_eq!(kind_of(&rules, &day_care), None, "a day care for children is not a family centre");
        // By name, in any of the name tags, whatever the case.
        let named = [("amenity", "community_centre"), ("name:sv", "Familjecentralen Gårdsten")];
        assert_eq!(kind_of(&rules, &named), Some("familjecentral"));
        assert_eq!(
            kind_of(&rules, &[("healthcare", "centre"), ("name", "Kalasataman perhekeskus")]),
            Some("familjecentral")
        );
        assert_eq!(kind_of(&rules, &[("name", "Familjecentral")]), None, "a name alone is not enough");
        assert_eq!(kind_of(&rules, &[]), None);
    }

    #[test]
    fn conditions_parse_and_hold() {
        let c = TagCondition::parse(" amenity = library|books ").unwrap();
        assert_eq!(c, TagCondition::Is("amenity".into(), vec!["library".into(), "books".into()]));
        assert!(c.holds(&[("amenity", "books")]) && !c.holds(&[("amenity", "cafe")]) && !c.holds(&[]));
        let present = TagCondition::parse("healthcare=*").unwrap();
        assert!(present.holds(&[("healthcare", "")]) && !present.holds(&[("amenity", "x")]));
        let not = TagCondition::parse("access!=private|no").unwrap();
        assert!(not.holds(&[]) && not.holds(&[("access", "yes")]) && !not.holds(&[("access", "yes;private")]));
        let absent = TagCondition::parse("disused!=*").unwrap();
        assert!(absent.holds(&[("amenity", "library")]) && !absent.holds(&[("disused", "yes")]));
        for bad in ["amenity", "=library", "amenity=", "amenity=a||b", "!=*"] {
            assert!(TagCondition::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_first_matching_rule_wins_and_none_leaves_out() {
        let text = r#"
            [[rule]]
            kind = "none"
            tags = ["amenity=library", "access=private"]
            [[rule]]
            kind = "bibliotek"
            tags = ["amenity=library"]
            [[rule]]
            kind = "oppen_forskola"
            tags = ["amenity=library"]
        "#;
        let rules = OsmArenaRules::parse(text, Some(Path::new("mine.toml"))).unwrap();
        assert_eq!(kind_of(&rules, &[("amenity", "library")]), Some("bibliotek"));
        assert_eq!(kind_of(&rules, &[("amenity", "library"), ("access", "private")]), Some("none"));
        let ids = rules.kind_ids(&Kinds::defaults()).unwrap();
        assert_eq!(ids[0], None);
        assert!(ids[1].is_some() && ids[2].is_some());
    }

    #[test]
    fn bad_profiles_are_errors_naming_the_file_and_rule() {
        let file = Some(Path::new("mine.toml"));
        let err = |text: &str| OsmArenaRules::parse(text, file).unwrap_err().to_string();
        let e = err("[[rule]]\nkind = \"bibliotek\"\ntags = [\"amenity\"]\n");
        assert!(e.starts_with("mine.toml: rule 1 (kind bibliotek)") && e.contains("not a tag condition"), "{e}");
        let e = err("[[rule]]\nkind = \"bibliotek\"\ntags = [\"access!=private\"]\n");
        assert!(e.contains("at least one tag that must be there"), "{e}");
        let e = err("[[rule]]\nkind = \"bibliotek\"\ntags = [\"amenity=library\"]\nname = \"(\"\n");
        assert!(e.contains("not a regular expression"), "{e}");
        let e = err("[[rule]]\nkind = \"bibliotek\"\ntag = [\"amenity=library\"]\n");
        assert!(e.contains("mine.toml") && e.contains("unknown field"), "{e}");
        assert!(err("").contains("has no [[rule]]"));
        let rules = OsmArenaRules::parse("[[rule]]\nkind = \"simhall\"\ntags = [\"leisure=pool\"]\n", file).unwrap();
        let e = rules.kind_ids(&Kinds::defaults()).unwrap_err().to_string();
        assert!(e.starts_with("mine.toml: rule 1: 'simhall' is not a kind; the kinds are"), "{e}");
        assert!(e.contains("familjecentral, oppen_forskola, bibliotek, bemannad_lekplats"), "{e}");
    }
}
