//! Path globs, with one set of rules for every place a user writes one (`--exclude`, the
//! config's `exclude:` and suppression `paths:`): globs match display paths (relative to the
//! working directory, `/`-separated); a bare name (`vendor`) matches that file or directory
//! anywhere; a directory glob also matches everything below it.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// A glob that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid glob `{glob}`: {message}")]
pub struct GlobError {
    pub glob: String,
    pub message: String,
}

/// The globset matching any of `globs`, each with the rules above.
pub fn path_globs<'a>(globs: impl IntoIterator<Item = &'a str>) -> Result<GlobSet, GlobError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let g = glob.trim_end_matches('/');
        let mut variants = vec![g.to_string(), format!("{g}/**")];
        if !g.contains('/') {
            variants.push(format!("**/{g}"));
            variants.push(format!("**/{g}/**"));
        }
        for v in variants {
            builder
                .add(Glob::new(&v).map_err(|e| GlobError { glob: glob.to_string(), message: e.kind().to_string() })?);
        }
    }
    builder.build().map_err(|e| GlobError { glob: String::new(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_match_anywhere_and_directories_match_below() {
        let set = path_globs(["vendor", "legacy/**/*.yaml", "apps/team-a/"]).expect("valid");
        for yes in ["vendor", "a/vendor/x.yaml", "legacy/x/y.yaml", "apps/team-a/sa.yaml"] {
            assert!(set.is_match(yes), "{yes}");
        }
        for no in ["vendors/x.yaml", "src/legacy/x.yaml", "apps/team-b/sa.yaml"] {
            assert!(!set.is_match(no), "{no}");
        }
    }

    #[test]
    fn a_glob_that_does_not_parse_is_an_error_naming_it() {
        let err = path_globs(["ok/**", "vendor/[oops"]).expect_err("invalid");
        assert_eq!(err.glob, "vendor/[oops");
        assert!(err.message.contains("unclosed"), "{}", err.message);
    }
}
