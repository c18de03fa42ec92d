//! Errors: loading the atlas ([`LoadError`]) and answering a request
//! ([`HttpError`], rendered as an HTML page or, under `/api`, as JSON).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why the atlas could not be loaded from a store.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Store(#[from] stemgap_store::StoreError),
    #[error("{0}: the store holds no findings; rebuild it with `stemgap build`")]
    NoFindings(String),
    #[error("{path}: the stored findings cannot be read ({message}); rebuild the store with this version of stemgap")]
    Findings { path: String, message: String },
    #[error("{path}: inconsistent store: {what}; rebuild it with `stemgap build`")]
    Corrupt { path: String, what: String },
}

/// Why a server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// How an error is shown: a page, or JSON under `/api`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Page,
    Api,
}

impl Audience {
    /// `/api/…` paths get JSON, everything else a page.
    pub fn of_path(path: &str) -> Audience {
        if path == "/api" || path.starts_with("/api/") {
            Audience::Api
        } else {
            Audience::Page
        }
    }
}

/// A request that cannot be answered: a status and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
    pub audience: Audience,
}

impl HttpError {
    pub fn new(status: StatusCode, audience: Audience, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
            audience,
        }
    }

    pub fn not_found(audience: Audience, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, audience, message)
    }

    pub fn bad_request(audience: Audience, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, audience, message)
    }

    pub fn internal(audience: Audience, message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, audience, message)
    }
}

/// The JSON body of an API error.
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Serialize)]
pub struct ErrorDetail<'a> {
    pub status: u16,
    pub message: &'a str,
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self.audience {
            Audience::Api => {
                let body = ErrorBody {
                    error: ErrorDetail {
                        status: self.status.as_u16(),
                        message: &self.message,
                    },
                };
                let text = serde_json::to_string(&body).unwrap_or_else(|_| {
                    format!(
                        "{{\"error\":{{\"status\":{},\"message\":\"\"}}}}",
                        self.status.as_u16()
                    )
                });
                (
                    self.status,
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )],
                    text,
                )
                    .into_response()
            }
            Audience::Page => {
                let html = crate::pages::error_page(self.status, &self.message);
                (
                    self.status,
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    )],
                    html,
                )
                    .into_response()
            }
        }
    }
}
