//! The flat XML WeChat speaks: `<xml><Tag><![CDATA[value]]></Tag><Other>42</Other></xml>`.
//!
//! Reading uses `quick-xml` rather than a hand parser: its tokenizer already gets CDATA,
//! comments, processing instructions, character references and mismatched tags right, it
//! never expands DTD entities (no XXE or entity bombs), and it costs one small crate
//! (plus `memchr`, already in the tree). On top of it this module keeps only what WeChat
//! needs: the direct children of the `<xml>` root as a name → text map.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event as XmlEvent;

use super::error::XmlError;

/// The direct children of the `<xml>` root, by element name, with their text.
///
/// A value is the concatenation of the element's CDATA sections, text and references
/// (entities decoded). When an element has a CDATA section, whitespace-only text around it
/// is dropped (WeChat pretty-prints some samples as `<MsgType> <![CDATA[text]]></MsgType>`);
/// a value without CDATA is trimmed. Text of deeper elements (such as `<ScanCodeInfo>`'s
/// children) is not kept. When a name repeats, the first occurrence wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    map: HashMap<String, String>,
}

impl Fields {
    /// The value of a child element, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// The value of a child element, if present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Number of distinct child elements.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the root has no child element.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Text collected for the depth-1 element being read.
#[derive(Default)]
struct Current {
    name: String,
    text: String,
    cdata: String,
    has_cdata: bool,
}

impl Current {
    fn finish(self) -> (String, String) {
        let value = if self.has_cdata {
            // Whitespace-only text between tags and CDATA is formatting; keep real text.
            let mut v = String::new();
            if !self.text.trim().is_empty() {
                v.push_str(self.text.trim());
            }
            v.push_str(&self.cdata);
            v
        } else {
            self.text.trim().to_owned()
        };
        (self.name, value)
    }
}

fn syntax(e: impl std::fmt::Display) -> XmlError {
    XmlError::Syntax(e.to_string())
}

/// Parses a WeChat XML document into the fields of its `<xml>` root.
pub fn parse_fields(xml: &str) -> Result<Fields, XmlError> {
    let mut reader = Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = true;

    let mut fields = Fields::default();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut root_closed = false;
    let mut current: Option<Current> = None;

    loop {
        let event = reader.read_event().map_err(syntax)?;
        match event {
            XmlEvent::Start(start) => {
                if root_closed {
                    return Err(XmlError::Syntax("content after the root element".into()));
                }
                let name = start.name().as_ref().to_owned();
                match depth {
                    0 => {
                        if name != "xml" {
                            return Err(XmlError::NotWechatXml);
                        }
                        seen_root = true;
                    }
                    1 => {
                        current = Some(Current {
                            name,
                            ..Current::default()
                        });
                    }
                    _ => {}
                }
                depth += 1;
            }
            XmlEvent::End(_) => {
                depth = depth.saturating_sub(1);
                match depth {
                    0 => root_closed = true,
                    1 => {
                        if let Some(done) = current.take() {
                            let (name, value) = done.finish();
                            fields.map.entry(name).or_insert(value);
                        }
                    }
                    _ => {}
                }
            }
            XmlEvent::Text(text) => {
                let text = text.xml10_content();
                if depth == 2 {
                    if let Some(cur) = current.as_mut() {
                        cur.text.push_str(&text);
                    }
                } else if depth == 0 && !text.trim().is_empty() {
                    return Err(XmlError::Syntax("text outside the root element".into()));
                }
            }
            XmlEvent::CData(cdata) => {
                if depth == 2
                    && let Some(cur) = current.as_mut()
                {
                    cur.has_cdata = true;
                    cur.cdata.push_str(&cdata.xml10_content());
                } else if depth == 0 {
                    return Err(XmlError::Syntax("CDATA outside the root element".into()));
                }
            }
            XmlEvent::GeneralRef(reference) => {
                let resolved = if let Some(ch) = reference.resolve_char_ref().map_err(syntax)? {
                    ch.to_string()
                } else {
                    let name: &str = &reference;
                    resolve_predefined_entity(name)
                        .ok_or_else(|| XmlError::UnknownEntity(name.to_owned()))?
                        .to_owned()
                };
                if depth == 2
                    && let Some(cur) = current.as_mut()
                {
                    cur.text.push_str(&resolved);
                } else if depth == 0 {
                    return Err(XmlError::Syntax(
                        "reference outside the root element".into(),
                    ));
                }
            }
            XmlEvent::DocType(_) => return Err(XmlError::DocType),
            XmlEvent::Empty(_) => {
                // Not produced with `expand_empty_elements`; nothing to keep either way.
            }
            XmlEvent::Comment(_) | XmlEvent::Decl(_) | XmlEvent::PI(_) => {}
            XmlEvent::Eof => break,
        }
    }

    if !seen_root {
        return Err(XmlError::NotWechatXml);
    }
    if !root_closed || depth != 0 {
        return Err(XmlError::Syntax("unexpected end of document".into()));
    }
    Ok(fields)
}

/// Whether `c` may appear in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `value` as a CDATA section: a `]]>` inside is split across two sections
/// (`]]]]><![CDATA[>`), and characters XML 1.0 forbids (control characters) are dropped.
pub fn push_cdata(out: &mut String, value: &str) {
    out.push_str("<![CDATA[");
    let clean: String = value.chars().filter(|&c| is_xml_char(c)).collect();
    out.push_str(&clean.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

/// Appends `value` as escaped character data (`&`, `<`, `>` escaped; forbidden characters
/// dropped), for numeric fields such as `<CreateTime>`.
pub fn push_text(out: &mut String, value: &str) {
    for c in value.chars().filter(|&c| is_xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Appends `<name><![CDATA[value]]></name>`.
pub fn push_cdata_element(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_cdata(out, value);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends `<name>value</name>` with `value` escaped as text.
pub fn push_text_element(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_text(out, value);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}
