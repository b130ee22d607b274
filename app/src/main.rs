//! Mounts the app on the page Trunk builds.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::app::App);
}
