//! The self-service bot's judgement, apart from retrieval: whether the visitor asks for a
//! person, which of the question's words carry meaning, whether the best article covers
//! enough of them to answer, and which paragraph of it to quote.

/// Words that ask for a person (Chinese and English), matched in lower case.
const HANDOVER: [&str; 14] = [
    "转人工",
    "人工客服",
    "人工服务",
    "找人工",
    "真人",
    "人工",
    "客服人员",
    "human",
    "agent",
    "real person",
    "operator",
    "talk to someone",
    "speak to someone",
    "representative",
];

/// Function words that say nothing about the problem (question words, particles, pronouns).
const STOP: [&str; 64] = [
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "是",
    "我",
    "我们",
    "你",
    "你们",
    "他",
    "它",
    "这",
    "那",
    "这个",
    "那个",
    "怎么",
    "怎么办",
    "怎样",
    "如何",
    "什么",
    "为什么",
    "为何",
    "哪",
    "哪里",
    "哪个",
    "请问",
    "请",
    "一下",
    "可以",
    "能",
    "能否",
    "要",
    "在",
    "有",
    "和",
    "与",
    "或",
    "就",
    "都",
    "也",
    "还",
    "会",
    "should",
    "the",
    "a",
    "an",
    "is",
    "are",
    "how",
    "what",
    "why",
    "do",
    "does",
    "i",
    "my",
    "to",
    "of",
    "in",
    "on",
    "for",
    "can",
];

/// Share of the question's meaningful words an article must contain for the bot to answer.
pub const MIN_COVERAGE: f64 = 0.6;

/// Whether the visitor asks for a person.
pub fn wants_person(question: &str) -> bool {
    let q = question.to_lowercase();
    HANDOVER.iter().any(|h| q.contains(h))
}

/// The meaningful words of a question, given its words as the search tokenizer cut them.
pub fn meaningful_words(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let w = w.to_lowercase();
        if !STOP.contains(&w.as_str()) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Share of `question_words` found in `article_words` (0 when the question has none).
pub fn coverage(question_words: &[String], article_words: &[String]) -> f64 {
    if question_words.is_empty() {
        return 0.0;
    }
    let found = question_words
        .iter()
        .filter(|w| article_words.contains(w))
        .count();
    found as f64 / question_words.len() as f64
}

/// What the bot does with a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Hand over to a person: they asked for one.
    Handover,
    /// Answer with the best article.
    Answer,
    /// Not sure enough: offer a person (and the articles as "maybe").
    Unsure,
}

/// Decides from the request and the best article's coverage.
pub fn decide(question: &str, best_coverage: Option<f64>) -> Decision {
    if wants_person(question) {
        Decision::Handover
    } else if best_coverage.is_some_and(|c| c >= MIN_COVERAGE) {
        Decision::Answer
    } else {
        Decision::Unsure
    }
}

/// Longest quote, in characters.
pub const MAX_QUOTE_CHARS: usize = 300;

/// The paragraph (blank-line separated) of `body` holding the most question words, shortened
/// to [`MAX_QUOTE_CHARS`]; the first paragraph when none holds any. `words_of` cuts text into
/// words the way the question was cut.
pub fn best_paragraph(
    body: &str,
    question_words: &[String],
    words_of: &dyn Fn(&str) -> Vec<String>,
) -> String {
    let paragraphs: Vec<&str> = body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut best: Option<(usize, &str)> = None;
    for p in &paragraphs {
        let words = words_of(p);
        let hits = question_words.iter().filter(|w| words.contains(w)).count();
        if best.is_none_or(|(h, _)| hits > h) {
            best = Some((hits, p));
        }
    }
    let chosen = best.map_or("", |(_, p)| p);
    if chosen.chars().count() > MAX_QUOTE_CHARS {
        let cut: String = chosen.chars().take(MAX_QUOTE_CHARS).collect();
        format!("{cut}…")
    } else {
        chosen.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn asking_for_a_person_is_recognised() {
        assert!(wants_person("转人工"));
        assert!(wants_person("我要找人工客服"));
        assert!(wants_person("Can I talk to a HUMAN please"));
        assert!(!wants_person("打印机卡纸怎么办"));
    }

    #[test]
    fn question_words_drop_function_words() {
        let w = meaningful_words(&words("打印机 卡纸 怎么办 的 打印机 Fuser"));
        assert_eq!(w, ["打印机", "卡纸", "fuser"]);
    }

    #[test]
    fn answers_only_when_the_article_covers_the_question() {
        let q = words("打印机 卡纸");
        assert_eq!(coverage(&q, &words("打印机 卡纸 处理 步骤")), 1.0);
        assert_eq!(coverage(&q, &words("打印机 安装")), 0.5);
        assert_eq!(coverage(&[], &words("x")), 0.0);
        assert_eq!(decide("打印机卡纸", Some(1.0)), Decision::Answer);
        assert_eq!(decide("打印机卡纸", Some(0.5)), Decision::Unsure);
        assert_eq!(decide("打印机卡纸", None), Decision::Unsure);
        assert_eq!(decide("转人工", Some(1.0)), Decision::Handover);
    }

    #[test]
    fn the_quoted_paragraph_is_the_one_about_the_question() {
        let body = "概述 打印机\n\n卡纸 时 打开 前盖 取出 纸张\n\n保修 说明";
        let q = words("卡纸 前盖");
        assert_eq!(
            best_paragraph(body, &q, &words),
            "卡纸 时 打开 前盖 取出 纸张"
        );
        assert_eq!(best_paragraph(body, &words("无关"), &words), "概述 打印机");
        let long = "字".repeat(400);
        assert_eq!(
            best_paragraph(&long, &q, &words).chars().count(),
            MAX_QUOTE_CHARS + 1
        );
    }
}
