//! What `explain` answers, gathered from the catalog: the entries a term names (with
//! suggestions when it names none), or a pasted response annotated field by field. The CLI
//! only prints these.

use crate::catalog::response::{Analysis, AnalyzeError, analyze};
use crate::catalog::{Catalog, Hit, Provider};

/// The catalog's answer to a term.
#[derive(Debug)]
pub struct TermAnswer {
    /// The catalog the hits point into, for the details a printer looks up around a hit.
    pub catalog: &'static Catalog,
    pub hits: Vec<Hit<'static>>,
    /// Close terms, when nothing matched.
    pub suggestions: Vec<String>,
}

/// The catalog's finding for an error code of `provider` (`isv.invalid-auth-relations` found
/// inside a decrypted `my.getPhoneNumber` answer), if the catalog knows it.
pub fn finding(provider: Provider, code: &str) -> Option<crate::finding::Finding> {
    Catalog::builtin().finding(provider, code)
}

/// Look `term` up (a field, `field=value`, an error code, an endpoint), in one provider's
/// catalog when `provider` is given.
pub fn term(term: &str, provider: Option<Provider>) -> TermAnswer {
    let catalog = Catalog::builtin();
    let mut hits = catalog.lookup(term);
    if let Some(p) = provider {
        hits.retain(|h| h.provider() == p);
    }
    let suggestions = if hits.is_empty() {
        catalog.suggest(term, 6)
    } else {
        Vec::new()
    };
    TermAnswer {
        catalog,
        hits,
        suggestions,
    }
}

/// Annotate a pasted response body, with the request URL when known.
pub fn response(body: &[u8], url: Option<&str>) -> Result<Analysis<'static>, AnalyzeError> {
    analyze(Catalog::builtin(), body, url)
}
