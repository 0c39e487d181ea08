//! The TAPI dialable address: `DialableNumber [;] [| Subaddress] [^ Name] [CRLF ...]`, parsed into
//! [`DialString`] and written back, normalised, by its `Display`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::element::{DialElement, is_formatting};
use super::error::DialError;

/// The longest dialable or canonical address accepted, in characters (formatting included).
pub const MAX_DIAL_STRING_LEN: usize = 255;

/// One dialable address: the number's elements, the partial-dial flag (`;`), and an optional
/// subaddress (after `|`) and name (after `^`).
///
/// ```
/// use tsp_sdk::dial::{DialAddress, DialElement};
/// let digits = "5550100".chars().filter_map(DialElement::from_char).collect();
/// let address = DialAddress::new(digits).with_subaddress("42")?.with_name("Front desk")?;
/// assert_eq!(address.to_string(), "5550100|42^Front desk");
/// # Ok::<(), tsp_sdk::dial::DialError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DialAddress {
    elements: Vec<DialElement>,
    partial: bool,
    subaddress: Option<String>,
    name: Option<String>,
}

static NO_ADDRESS: DialAddress = DialAddress {
    elements: Vec::new(),
    partial: false,
    subaddress: None,
    name: None,
};

impl DialAddress {
    /// An address made of these elements, complete (not partial), with no subaddress or name.
    pub fn new(elements: Vec<DialElement>) -> DialAddress {
        DialAddress {
            elements,
            partial: false,
            subaddress: None,
            name: None,
        }
    }

    /// The same address, marked partial (`;` at the end: more digits follow with `lineDial`)
    /// or complete.
    #[must_use]
    pub fn with_partial(mut self, partial: bool) -> DialAddress {
        self.partial = partial;
        self
    }

    /// The same address with this subaddress (an ISDN subaddress, an e-mail address...).
    ///
    /// # Errors
    /// [`DialError::UnexpectedChar`] if it holds `|`, `+`, `^` or a control character (they
    /// would end the subaddress).
    pub fn with_subaddress(
        mut self,
        subaddress: impl Into<String>,
    ) -> Result<DialAddress, DialError> {
        let subaddress = subaddress.into();
        if let Some((position, found)) = subaddress
            .chars()
            .enumerate()
            .find(|&(_, c)| matches!(c, '|' | '+' | '^') || c.is_control())
        {
            return Err(DialError::UnexpectedChar {
                found,
                position,
                input: subaddress,
            });
        }
        self.subaddress = Some(subaddress);
        Ok(self)
    }

    /// The same address with this name.
    ///
    /// # Errors
    /// [`DialError::UnexpectedChar`] if it holds a control character (CR and LF end a name).
    pub fn with_name(mut self, name: impl Into<String>) -> Result<DialAddress, DialError> {
        let name = name.into();
        if let Some((position, found)) = name.chars().enumerate().find(|&(_, c)| c.is_control()) {
            return Err(DialError::UnexpectedChar {
                found,
                position,
                input: name,
            });
        }
        self.name = Some(name);
        Ok(self)
    }

    /// The elements of the dialable number, in order.
    pub fn elements(&self) -> &[DialElement] {
        &self.elements
    }

    /// Whether the number ends with `;`: dialing is incomplete and more follows.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// The subaddress (after `|`), if any.
    pub fn subaddress(&self) -> Option<&str> {
        self.subaddress.as_deref()
    }

    /// The name (after `^`), if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether nothing at all is in it (no element, no `;`, no subaddress, no name).
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
            && !self.partial
            && self.subaddress.is_none()
            && self.name.is_none()
    }

    pub(crate) fn elements_mut(&mut self) -> &mut Vec<DialElement> {
        &mut self.elements
    }
}

impl fmt::Display for DialAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for element in &self.elements {
            write!(f, "{}", element.as_char())?;
        }
        if self.partial {
            f.write_str(";")?;
        }
        if let Some(subaddress) = &self.subaddress {
            write!(f, "|{subaddress}")?;
        }
        if let Some(name) = &self.name {
            write!(f, "^{name}")?;
        }
        Ok(())
    }
}

/// A parsed TAPI dialable address: one or more [`DialAddress`]es separated by CRLF (more than
/// one asks for inverse multiplexing).
///
/// [`DialString::parse`] validates the whole string (nothing is dialed from an invalid one,
/// `LINEERR_INVALADDRESS`), drops formatting characters (space, `-`, `(`, `)`, `.`, `/`) and
/// remembers where each element stood in the text, so the [pre-scan](DialString::check) can
/// name a position in what the application passed. `Display` writes the normalised string
/// (uppercase, no formatting); parsing it gives an equal `DialString`. Equality and hashing
/// look at the addresses only, not at the text they were parsed from.
///
/// ```
/// use tsp_sdk::dial::{DialElement, DialString};
/// let dial = DialString::parse("T 9, (425) 555-0100;")?;
/// assert_eq!(dial.to_string(), "T9,4255550100;");
/// assert_eq!(dial.first().elements()[0], DialElement::Tone);
/// assert!(dial.is_partial());
/// assert_eq!(DialString::parse(&dial.to_string())?, dial);
/// # Ok::<(), tsp_sdk::dial::DialError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DialString {
    addresses: Vec<DialAddress>,
    positions: Vec<Vec<usize>>,
    source: String,
}

impl DialString {
    /// Parses a dialable address.
    ///
    /// # Errors
    /// [`DialError::Empty`], [`DialError::TooLong`] (over [`MAX_DIAL_STRING_LEN`] characters),
    /// [`DialError::UnexpectedChar`], [`DialError::MisplacedSemicolon`] (a `;` that does not end
    /// the number) or [`DialError::EmptyAddress`] (e.g. a trailing CRLF). All map to
    /// `LINEERR_INVALADDRESS`.
    pub fn parse(input: &str) -> Result<DialString, DialError> {
        if input.is_empty() {
            return Err(DialError::Empty);
        }
        let len = input.chars().count();
        if len > MAX_DIAL_STRING_LEN {
            return Err(DialError::TooLong {
                len,
                max: MAX_DIAL_STRING_LEN,
            });
        }
        Parser::new(input).run()
    }

    /// A dial string made of these addresses; its [`source`](DialString::source) is its
    /// normalised text.
    ///
    /// # Errors
    /// [`DialError::Empty`] for no addresses, [`DialError::EmptyAddress`] if one is
    /// [empty](DialAddress::is_empty), [`DialError::TooLong`] if the text would exceed
    /// [`MAX_DIAL_STRING_LEN`].
    pub fn from_addresses(addresses: Vec<DialAddress>) -> Result<DialString, DialError> {
        if addresses.is_empty() {
            return Err(DialError::Empty);
        }
        let dial = DialString::assemble(addresses);
        let mut start = 0;
        for address in &dial.addresses {
            if address.is_empty() {
                return Err(DialError::EmptyAddress {
                    position: start,
                    input: dial.source.clone(),
                });
            }
            start += address.to_string().chars().count() + 2;
        }
        let len = dial.source.chars().count();
        if len > MAX_DIAL_STRING_LEN {
            return Err(DialError::TooLong {
                len,
                max: MAX_DIAL_STRING_LEN,
            });
        }
        Ok(dial)
    }

    /// Builds without validation (callers keep the invariants: at least one address, none
    /// empty); positions are those in the normalised text.
    pub(crate) fn assemble(addresses: Vec<DialAddress>) -> DialString {
        let mut source = String::new();
        let mut positions = Vec::with_capacity(addresses.len());
        let mut at = 0;
        for (index, address) in addresses.iter().enumerate() {
            if index > 0 {
                source.push_str("\r\n");
                at += 2;
            }
            positions.push((at..at + address.elements.len()).collect());
            let text = address.to_string();
            at += text.chars().count();
            source.push_str(&text);
        }
        DialString {
            addresses,
            positions,
            source,
        }
    }

    /// The addresses, in order (at least one).
    pub fn addresses(&self) -> &[DialAddress] {
        &self.addresses
    }

    /// The first address (the only one unless the string asks for inverse multiplexing).
    pub fn first(&self) -> &DialAddress {
        self.addresses.first().unwrap_or(&NO_ADDRESS)
    }

    /// Whether the last address ends with `;` (dialing is incomplete).
    pub fn is_partial(&self) -> bool {
        self.addresses.last().is_some_and(DialAddress::is_partial)
    }

    /// The text this was parsed from (or, if built from addresses, its normalised text).
    /// [Positions](DialString::position) index its characters.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The 0-based character position in [`source`](DialString::source) of element `element`
    /// of address `address`.
    pub fn position(&self, address: usize, element: usize) -> Option<usize> {
        self.positions
            .get(address)
            .and_then(|p| p.get(element))
            .copied()
    }

    /// Every element with its address index and its position in the source, in order.
    pub fn located_elements(&self) -> impl Iterator<Item = (usize, usize, DialElement)> + '_ {
        self.addresses
            .iter()
            .zip(&self.positions)
            .enumerate()
            .flat_map(|(index, (address, positions))| {
                address
                    .elements
                    .iter()
                    .zip(positions)
                    .map(move |(element, &position)| (index, position, *element))
            })
    }

    /// Whether any address holds this element.
    pub fn contains(&self, element: DialElement) -> bool {
        self.addresses.iter().any(|a| a.elements.contains(&element))
    }

    pub(crate) fn into_addresses(self) -> Vec<DialAddress> {
        self.addresses
    }
}

impl PartialEq for DialString {
    fn eq(&self, other: &Self) -> bool {
        self.addresses == other.addresses
    }
}

impl Eq for DialString {}

impl Hash for DialString {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.addresses.hash(state);
    }
}

impl fmt::Display for DialString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, address) in self.addresses.iter().enumerate() {
            if index > 0 {
                f.write_str("\r\n")?;
            }
            write!(f, "{address}")?;
        }
        Ok(())
    }
}

impl FromStr for DialString {
    type Err = DialError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DialString::parse(s)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Number,
    Subaddress,
    Name,
}

/// One pass over the characters; each address is checked when its CRLF or the end is reached.
struct Parser<'a> {
    input: &'a str,
    addresses: Vec<DialAddress>,
    positions: Vec<Vec<usize>>,
    current: DialAddress,
    current_positions: Vec<usize>,
    field: Field,
    semicolon: Option<usize>,
    start: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        Parser {
            input,
            addresses: Vec::new(),
            positions: Vec::new(),
            current: DialAddress::default(),
            current_positions: Vec::new(),
            field: Field::Number,
            semicolon: None,
            start: 0,
        }
    }

    fn unexpected(&self, found: char, position: usize) -> DialError {
        DialError::UnexpectedChar {
            found,
            position,
            input: self.input.to_owned(),
        }
    }

    fn run(mut self) -> Result<DialString, DialError> {
        let mut chars = self.input.chars().enumerate();
        while let Some((position, c)) = chars.next() {
            if c == '\r' {
                match chars.next() {
                    Some((_, '\n')) => self.end_address(position + 2)?,
                    Some((next, found)) => return Err(self.unexpected(found, next)),
                    None => return Err(self.unexpected(c, position)),
                }
                continue;
            }
            match self.field {
                Field::Number => self.number_char(c, position)?,
                Field::Subaddress => match c {
                    '^' => self.begin_name(),
                    '|' | '+' => return Err(self.unexpected(c, position)),
                    c if c.is_control() => return Err(self.unexpected(c, position)),
                    c => push_text(&mut self.current.subaddress, c),
                },
                Field::Name => {
                    if c.is_control() {
                        return Err(self.unexpected(c, position));
                    }
                    push_text(&mut self.current.name, c);
                }
            }
        }
        let end = self.input.chars().count();
        self.end_address(end)?;
        Ok(DialString {
            addresses: self.addresses,
            positions: self.positions,
            source: self.input.to_owned(),
        })
    }

    fn number_char(&mut self, c: char, position: usize) -> Result<(), DialError> {
        if let Some(element) = DialElement::from_char(c) {
            if let Some(semicolon) = self.semicolon {
                return Err(DialError::MisplacedSemicolon {
                    position: semicolon,
                    input: self.input.to_owned(),
                });
            }
            self.current.elements.push(element);
            self.current_positions.push(position);
        } else if is_formatting(c) {
            // Formatting: not dialed.
        } else if c == ';' {
            if let Some(semicolon) = self.semicolon {
                return Err(DialError::MisplacedSemicolon {
                    position: semicolon,
                    input: self.input.to_owned(),
                });
            }
            self.semicolon = Some(position);
            self.current.partial = true;
        } else if c == '|' {
            self.field = Field::Subaddress;
            self.current.subaddress = Some(String::new());
        } else if c == '^' {
            self.begin_name();
        } else {
            return Err(self.unexpected(c, position));
        }
        Ok(())
    }

    fn begin_name(&mut self) {
        self.field = Field::Name;
        self.current.name = Some(String::new());
    }

    /// Closes the current address; `next_start` is where the following one would begin.
    fn end_address(&mut self, next_start: usize) -> Result<(), DialError> {
        let address = std::mem::take(&mut self.current);
        if address.is_empty() {
            return Err(DialError::EmptyAddress {
                position: self.start,
                input: self.input.to_owned(),
            });
        }
        self.addresses.push(address);
        self.positions
            .push(std::mem::take(&mut self.current_positions));
        self.field = Field::Number;
        self.semicolon = None;
        self.start = next_start;
        Ok(())
    }
}

fn push_text(text: &mut Option<String>, c: char) {
    text.get_or_insert_with(String::new).push(c);
}
