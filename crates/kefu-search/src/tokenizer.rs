//! The two analyzers: words (jieba's search-mode segmentation, lower-cased, punctuation
//! dropped) and codes (see [`crate::extract_codes`]). Positions are character offsets, so the
//! overlapping words of search mode (打印, 打印机) and phrase queries agree between the index
//! and the query, which is cut the same way.

use std::sync::Arc;

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::codes::extract_codes;

/// Jieba's dictionary plus the user's words (product and part names), each weighted so that
/// jieba keeps it whole.
pub fn jieba_with(user_words: &[String]) -> Jieba {
    let mut j = Jieba::new();
    for w in user_words {
        let w = w.trim();
        if !w.is_empty() && !w.contains(char::is_whitespace) {
            j.add_word(w, None, None);
        }
    }
    j
}

/// Whether a piece of text carries meaning (letters, digits or CJK), not only punctuation or
/// space.
fn meaningful(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// jieba word segmentation for tantivy (one shared dictionary; cloning is cheap).
#[derive(Clone)]
pub struct WordTokenizer {
    jieba: Arc<Jieba>,
}

impl WordTokenizer {
    /// A tokenizer on this dictionary.
    pub fn new(jieba: Arc<Jieba>) -> Self {
        WordTokenizer { jieba }
    }
}

/// Tokens of one text, computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> Self {
        VecTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens: Vec<Token> = self
            .jieba
            .tokenize(text, TokenizeMode::Search, true)
            .into_iter()
            .filter(|t| meaningful(t.word))
            .map(|t| Token {
                offset_from: t.byte_start,
                offset_to: t.byte_end,
                position: t.start,
                text: t.word.to_lowercase(),
                position_length: 1,
            })
            .collect();
        // Search mode emits a word's pieces after pieces of the word before it (意大利人 →
        // 意大, 大利, 意大利, 意大利人); tantivy's snippet builder needs tokens in text order.
        tokens.sort_by_key(|t| (t.offset_from, t.offset_to));
        VecTokenStream::new(tokens)
    }
}

/// Codes, whole and lower-cased.
#[derive(Clone, Default)]
pub struct CodeTokenizer;

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = extract_codes(text)
            .into_iter()
            .enumerate()
            .map(|(i, (from, to, code))| Token {
                offset_from: from,
                offset_to: to,
                position: i,
                text: code,
                position_length: 1,
            })
            .collect();
        VecTokenStream::new(tokens)
    }
}

/// The user's query with its Chinese runs cut into words (separated by spaces), so that
/// "打印机卡纸" asks for the words 打印机 and 卡纸 rather than for that exact phrase. Quoted
/// phrases and `field:value` terms are left as they are.
pub(crate) fn segment_query(jieba: &Jieba, text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 1 {
            // Inside quotes: a phrase.
            out.push('"');
            out.push_str(part);
            out.push('"');
            continue;
        }
        for word in part.split_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            let cjk = word.chars().any(|c| c > '\u{2e7f}');
            if word.contains(':') || !cjk {
                out.push_str(word);
                continue;
            }
            let pieces: Vec<&str> = jieba
                .cut(word, true)
                .into_iter()
                .map(|t| t.word)
                .filter(|w| meaningful(w))
                .collect();
            out.push_str(&pieces.join(" "));
        }
        out.push(' ');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &mut WordTokenizer, s: &str) -> Vec<String> {
        let mut ts = t.token_stream(s);
        let mut out = Vec::new();
        while let Some(tok) = ts.next() {
            out.push(tok.text.clone());
        }
        out
    }

    #[test]
    fn customer_service_text_is_cut_into_words() {
        let mut t = WordTokenizer::new(Arc::new(jieba_with(&[])));
        let w = words(&mut t, "打印机卡纸，请派工程师上门维修。Printer JAM!");
        for expected in ["打印机", "卡纸", "工程师", "上门", "维修", "printer", "jam"] {
            assert!(
                w.contains(&expected.to_owned()),
                "{expected} missing from {w:?}"
            );
        }
        assert!(
            !w.iter().any(|x| x == "，" || x == "。" || x == "!"),
            "{w:?}"
        );
    }

    #[test]
    fn tokens_come_in_text_order() {
        // tantivy's snippet builder subtracts a fragment's start from later tokens' offsets.
        let mut t = WordTokenizer::new(Arc::new(jieba_with(&[])));
        let mut ts = t.token_stream("瓦隆人及意大利人部队首先投降，中华人民共和国成立");
        let mut last = (0, 0);
        while let Some(tok) = ts.next() {
            let here = (tok.offset_from, tok.offset_to);
            assert!(here >= last, "{here:?} after {last:?} ({})", tok.text);
            last = here;
        }
    }

    #[test]
    fn the_user_dictionary_keeps_part_names_whole() {
        let mut plain = WordTokenizer::new(Arc::new(jieba_with(&[])));
        let mut custom = WordTokenizer::new(Arc::new(jieba_with(&["定影组件".into()])));
        let text = "更换定影组件后正常";
        assert!(!words(&mut plain, text).contains(&"定影组件".to_owned()));
        assert!(words(&mut custom, text).contains(&"定影组件".to_owned()));
    }

    #[test]
    fn queries_are_cut_but_phrases_and_fields_kept() {
        let j = jieba_with(&[]);
        assert_eq!(segment_query(&j, "打印机卡纸"), "打印机 卡纸");
        assert_eq!(
            segment_query(&j, "sn:SN-8842X \"打印机卡纸\" printer"),
            "sn:SN-8842X \"打印机卡纸\" printer"
        );
    }
}
