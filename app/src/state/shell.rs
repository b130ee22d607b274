//! Which build of the app a page is: its shell, named by content (`/app-<hash>_bg.wasm`, see
//! scripts/split_app.py). A chunk that is gone from the server while a newer index.html names
//! another shell means the app was deployed again since this tab loaded: its chunks went with
//! the old build, and only a reload helps.

/// Whether the index.html the server gives now loads another shell than `current` (the path
/// of the main wasm this page loaded). Kept to two searches: this runs in the shell.
pub fn replaced(current: &str, served_index: &str) -> bool {
    // A page that is not the app (a proxy's error page) says nothing of a new build.
    served_index.contains("_bg.wasm") && !served_index.contains(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<link rel="modulepreload" href="/app-4cac12159c35d459.js"><link rel="preload" href="/app-4cac12159c35d459_bg.wasm" as="fetch" type="application/wasm"></head>"#;

    #[test]
    fn a_new_build_replaces_the_shell_and_the_same_build_does_not() {
        let current = "/app-4cac12159c35d459_bg.wasm";
        assert!(!replaced(current, INDEX));
        assert!(replaced(
            current,
            &INDEX.replace("4cac12159c35d459", "0123456789abcdef")
        ));
    }

    #[test]
    fn a_page_that_is_not_the_app_says_nothing_of_a_new_build() {
        let current = "/app-4cac12159c35d459_bg.wasm";
        assert!(!replaced(current, "<html>502 Bad Gateway</html>"));
        assert!(!replaced(current, ""));
    }
}
