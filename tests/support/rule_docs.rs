#![allow(dead_code)] // each test crate uses what it needs
//! The fenced blocks of a rule document's sections (`## Example`, `## Fix`), for the tests that
//! lint them.

/// The first line that makes a `yaml` block the config of its section rather than an input.
pub const CONFIG_MARKER: &str = "# .iblint.yaml";

/// One fenced block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The fence language (`yaml`, `hcl`, `sh`, …), lower case.
    pub lang: String,
    /// The text between the fences, each line ending in `\n`.
    pub text: String,
    /// The line of the block's first text line in the document body.
    pub line: usize,
}

impl Block {
    /// The file extension iblint reads this block's language from.
    pub fn extension(&self) -> Option<&'static str> {
        Some(match self.lang.as_str() {
            "yaml" | "yml" => "yaml",
            "json" => "json",
            "hcl" | "terraform" | "tf" => "tf",
            "bicep" => "bicep",
            "bash" | "sh" | "shell" => "sh",
            "powershell" | "ps1" | "pwsh" => "ps1",
            _ => return None,
        })
    }

    /// A `# .iblint.yaml` block: the config for the other blocks of its section.
    pub fn is_config(&self) -> bool {
        self.lang == "yaml" && self.text.lines().next().is_some_and(|l| l.trim() == CONFIG_MARKER)
    }
}

/// The text of section `heading` (e.g. `## Example`) of `body`, up to the next `## ` heading, with
/// the line the section starts on.
pub fn section<'a>(body: &'a str, heading: &str) -> (&'a str, usize) {
    let Some(start) = body.lines().position(|l| l.trim_end() == heading) else { return ("", 0) };
    let offset: usize = body.lines().take(start + 1).map(|l| l.len() + 1).sum();
    let rest = body.get(offset.min(body.len())..).unwrap_or("");
    let mut end = rest.len();
    let mut at = 0;
    let mut in_fence = false;
    for line in rest.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with("## ") {
            end = at;
            break;
        }
        at += line.len() + 1;
    }
    (&rest[..end.min(rest.len())], start + 2)
}

/// The fenced blocks of a section as [`section`] returns it.
pub fn blocks((text, first_line): (&str, usize)) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                let lang = lang.trim().to_ascii_lowercase();
                open = Some(Block { lang, text: String::new(), line: first_line + i + 1 });
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => out.extend(open.take()),
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The line in `rules/<id>.md` of line `body_line` of the document's body (after the front matter).
pub fn doc_line(id: &str, body: &str, body_line: usize) -> usize {
    let Some((_, text)) = iblint::docs::RULE_DOCS.iter().find(|(doc, _)| *doc == id) else { return body_line };
    body_line + text.strip_suffix(body).map_or(0, |front| front.matches('\n').count())
}

/// What is wrong with the findings of a block, if anything: an Example block (`must_produce` its
/// rule) must produce that rule and nothing else, a Fix block (`None`) nothing at all. `found`
/// holds one line per finding, starting with its rule id and a space.
pub fn verdict(found: &[String], must_produce: Option<&str>) -> Option<String> {
    let ok = match must_produce {
        Some(rule) => !found.is_empty() && found.iter().all(|f| f.starts_with(&format!("{rule} "))),
        None => found.is_empty(),
    };
    let wanted = must_produce.map_or("nothing".to_string(), |r| format!("only {r}"));
    (!ok).then(|| format!("must produce {wanted}, found:\n      {}", found.join("\n      ")))
}
