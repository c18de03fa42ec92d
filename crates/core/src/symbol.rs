//! [`Symbol`]: a string shared by many values, stored once.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string shared by reference: an indicator id, a period or a
/// source id, which a quarter of a million observations repeat among a few
/// hundred distinct values. Cloning one copies a pointer, not the text.
///
/// It reads as a `&str` (deref, `as_str`, comparisons with `str` and
/// `String`), so code that only reads the text does not see the sharing.
/// Two symbols are equal when their texts are, whether or not they share
/// storage.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(Arc<str>);

impl Symbol {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Symbol {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Symbol {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Symbol {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Symbol {
    fn from(s: &str) -> Symbol {
        Symbol(Arc::from(s))
    }
}

impl From<String> for Symbol {
    fn from(s: String) -> Symbol {
        Symbol(Arc::from(s))
    }
}

impl From<&String> for Symbol {
    fn from(s: &String) -> Symbol {
        Symbol(Arc::from(s.as_str()))
    }
}

impl PartialEq<str> for Symbol {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Symbol {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Symbol {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<Symbol> for str {
    fn eq(&self, other: &Symbol) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Symbol> for &str {
    fn eq(&self, other: &Symbol) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Symbol> for String {
    fn eq(&self, other: &Symbol) -> bool {
        self.as_str() == &*other.0
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Symbol;
    use std::collections::HashMap;

    #[test]
    fn reads_and_compares_as_its_text() {
        let a = Symbol::from("level4_share");
        let b = Symbol::from(String::from("level4_share"));
        assert_eq!(a, b);
        let (text, owned) = ("level4_share", String::from("level4_share"));
        assert!(a == text);
        assert!(text == a);
        assert!(a == owned);
        assert!(owned == a);
        assert_ne!(a, Symbol::from("level3_share"));
        let (earlier, later) = (Symbol::from("2021"), Symbol::from("2022"));
        assert!(earlier < later);
        assert_eq!(a.len(), 12);
        assert_eq!(format!("{a} {a:?}"), "level4_share \"level4_share\"");
        // Found in a map by its text.
        let m: HashMap<Symbol, u8> = [(a.clone(), 1)].into();
        assert_eq!(m.get("level4_share"), Some(&1));
    }

    #[test]
    fn clones_share_their_text() {
        let a = Symbol::from("2022/23");
        let b = a.clone();
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
    }
}
