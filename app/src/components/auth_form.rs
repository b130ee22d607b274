//! The login and register form. Fields are checked with the same rules as the server
//! (`shared`) before anything is sent; the server's refusals are shown as it words them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect};
use shared::{ErrorCode, LoginRequest, Password, RegisterRequest, Username};

use crate::api;
use crate::contexts::{AuthContext, ConfigContext};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    Login,
    Register,
}

#[component]
pub fn AuthForm(mode: AuthMode) -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    let ConfigContext(endpoints) = expect_context::<ConfigContext>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let username_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user = Username::parse(&username.get_untracked());
        let pass = Password::parse(&password.get_untracked());
        username_error.set(user.as_ref().err().map(|e| capitalise(&e.to_string())));
        password_error.set(pass.as_ref().err().map(|e| capitalise(&e.to_string())));
        form_error.set(None);
        let (Ok(username), Ok(password)) = (user, pass) else {
            return;
        };
        busy.set(true);
        let endpoints = endpoints.clone();
        spawn_local(async move {
            let result = match mode {
                AuthMode::Login => {
                    api::login(&endpoints, &LoginRequest { username, password }).await
                }
                AuthMode::Register => {
                    api::register(&endpoints, &RegisterRequest { username, password }).await
                }
            };
            busy.set(false);
            match result {
                Ok(response) => auth.sign_in(response),
                Err(e) if e.code() == Some(ErrorCode::UsernameTaken) => {
                    username_error.set(Some("That username is taken. Try another.".into()));
                }
                Err(e) => form_error.set(Some(capitalise(&e.message()))),
            }
        });
    };

    let (title, action, other_text, other_href, other_link) = match mode {
        AuthMode::Login => (
            "Log in to Confab",
            "Log in",
            "New here? ",
            "/register",
            "Create an account",
        ),
        AuthMode::Register => (
            "Create your Confab account",
            "Create account",
            "Have an account? ",
            "/login",
            "Log in",
        ),
    };
    let password_hint = match mode {
        AuthMode::Login => "current-password",
        AuthMode::Register => "new-password",
    };
    view! {
        {move || auth.session().map(|_| view! { <Redirect path="/rooms/general"/> })}
        <main class="auth">
            <form class="card" on:submit=submit novalidate=true data-testid="auth-form">
                <h1>{title}</h1>
                {move || auth.notice().map(|text| view! {
                    <p class="notice" role="alert" data-testid="auth-notice">{text}</p>
                })}
                <label for="username">"Username"</label>
                <input id="username" name="username" autocomplete="username" data-testid="username"
                    aria-invalid=move || username_error.get().is_some().to_string()
                    aria-describedby="username-error"
                    bind:value=username/>
                <p id="username-error" class="field-error" data-testid="username-error">{username_error}</p>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete=password_hint data-testid="password"
                    aria-invalid=move || password_error.get().is_some().to_string()
                    aria-describedby="password-error"
                    bind:value=password/>
                <p id="password-error" class="field-error" data-testid="password-error">{password_error}</p>
                <p class="form-error" role="alert" data-testid="form-error">{form_error}</p>
                <button type="submit" class="primary" data-testid="submit" disabled=busy>{action}</button>
                <p class="switch">{other_text} <A href=other_href>{other_link}</A></p>
            </form>
        </main>
    }
}

/// "username must be…" → "Username must be…", to stand alone under a field.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
