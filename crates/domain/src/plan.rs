//! Organization plans, their client limits, and the decision "may this organization add a client".

use std::fmt;
use std::str::FromStr;

/// An organization's plan. It caps how many clients the organization may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plan {
    Free,
    Starter,
    Professional,
    Agency,
    Enterprise,
}

impl Plan {
    pub const ALL: [Self; 5] = [
        Self::Free,
        Self::Starter,
        Self::Professional,
        Self::Agency,
        Self::Enterprise,
    ];
    pub const NAMES: &'static [&'static str] =
        &["free", "starter", "professional", "agency", "enterprise"];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Professional => "professional",
            Self::Agency => "agency",
            Self::Enterprise => "enterprise",
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plan {0:?}; expected one of free, starter, professional, agency, enterprise")]
pub struct UnknownPlan(pub String);

impl FromStr for Plan {
    type Err = UnknownPlan;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPlan(s.to_owned()))
    }
}

/// How many clients a plan allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    Max(u32),
    Unlimited,
}

impl Limit {
    /// Whether an organization holding `current` clients may add one more.
    ///
    /// # Errors
    /// [`LimitReached`] with the numbers a 403 body shows.
    pub fn admit(self, current: u64) -> Result<(), LimitReached> {
        match self {
            Self::Unlimited => Ok(()),
            Self::Max(limit) if current < u64::from(limit) => Ok(()),
            Self::Max(limit) => Err(LimitReached { current, limit }),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Max(n) => write!(f, "{n}"),
            Self::Unlimited => f.write_str("unlimited"),
        }
    }
}

impl FromStr for Limit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("unlimited") {
            Ok(Self::Unlimited)
        } else {
            s.parse()
                .map(Self::Max)
                .map_err(|_| format!("invalid limit {s:?}: a number or \"unlimited\""))
        }
    }
}

/// The organization is at its plan's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("You have reached your plan limit of {limit} clients")]
pub struct LimitReached {
    /// Clients the organization holds now.
    pub current: u64,
    /// The plan's limit.
    pub limit: u32,
}

/// The client limit of every plan. Defaults: free 3, starter 5, professional 15, agency 50,
/// enterprise unlimited; each can be overridden by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits([Limit; 5]);

impl Default for PlanLimits {
    fn default() -> Self {
        Self([
            Limit::Max(3),
            Limit::Max(5),
            Limit::Max(15),
            Limit::Max(50),
            Limit::Unlimited,
        ])
    }
}

impl PlanLimits {
    #[must_use]
    pub const fn limit(&self, plan: Plan) -> Limit {
        self.0[plan as usize]
    }

    /// These limits with `plan`'s replaced.
    #[must_use]
    pub const fn with(mut self, plan: Plan, limit: Limit) -> Self {
        self.0[plan as usize] = limit;
        self
    }

    /// Applies an override written `plan=limit` (`free=10`, `agency=unlimited`).
    ///
    /// # Errors
    /// A one-line description of what is wrong with `spec`.
    pub fn with_override(self, spec: &str) -> Result<Self, String> {
        let (plan, limit) = spec
            .split_once('=')
            .ok_or_else(|| format!("invalid plan limit {spec:?}: expected PLAN=LIMIT"))?;
        let plan: Plan = plan.parse().map_err(|e: UnknownPlan| e.to_string())?;
        Ok(self.with(plan, limit.parse()?))
    }

    /// May an organization on `plan` holding `current` clients add one?
    ///
    /// # Errors
    /// [`LimitReached`] when it may not.
    pub fn admit(&self, plan: Plan, current: u64) -> Result<(), LimitReached> {
        self.limit(plan).admit(current)
    }
}
