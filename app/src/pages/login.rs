use leptos::prelude::*;

use crate::components::{AuthForm, AuthMode};

#[component]
pub fn LoginPage() -> impl IntoView {
    view! { <AuthForm mode=AuthMode::Login/> }
}
