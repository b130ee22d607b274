use leptos::prelude::*;

use crate::chunks;
use crate::components::AuthMode;

#[component]
pub fn LoginPage() -> impl IntoView {
    chunks::auth(AuthMode::Login)
}
