//! The fixed tables of compact format 1: known values, object shapes, the static text
//! the string coder copies from, and the literal code lengths.
//!
//! Every table here is part of the wire format. Changing, reordering or extending any
//! of them changes what a payload means, so it needs a new format version (the high
//! nibble of the header byte, and the digit in `PB1:`). Add vocabulary in a new version,
//! never in place.

/// A value the format can name with one table index (or, in a [`Hint::Const`] slot,
/// with a single bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    /// A JSON string.
    Str(&'static str),
    /// A JSON array of strings.
    Strs(&'static [&'static str]),
}

/// How a slot of a shape expects its value to be coded. A slot with a hint starts with
/// one bit: 1 = "coded as the hint says", 0 = "a generic value follows". A hint only
/// ever saves bits; it never limits what a slot may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    /// No expectation: a generic value, without the leading bit.
    None,
    /// Exactly this value (the 1 bit is the whole encoding).
    Const(Known),
    /// Some entry of [`KNOWN`]: an 8-bit index.
    Known,
    /// One of these values: an index of ceil(log2 n) bits (none for a single value).
    OneOf(&'static [Known]),
    /// A string in the TEXT form.
    Text,
    /// A string in the DATE form.
    Date,
    /// A string in the DATETIME form.
    DateTime,
    /// A string in the UUID form.
    Uuid,
    /// A string in the BASE58 form.
    Base58,
    /// A string in the DIGITS form.
    Digits,
    /// A non-negative integer.
    Uint,
    /// An object coded with this shape (1-based shape number).
    Obj(u8),
    /// An array whose elements each carry this hint.
    Arr(&'static Hint),
    /// An object coded key by key whose values each carry this hint.
    Map(&'static Hint),
}

const CTX_VC: &str = "https://www.w3.org/ns/credentials/v2";
const CTX_OB: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
const CTX_PROBITY: &str = "https://probity.network/contexts/v1";
const CONTEXTS: &[&str] = &[CTX_VC, CTX_OB, CTX_PROBITY];

/// Values named by an 8-bit index (at most 256 entries): contexts, type names, common
/// enumerations of the Probity vocabulary, and object keys.
pub(super) const KNOWN: &[Known] = &[
    // 0: contexts
    Known::Str(CTX_VC),
    Known::Str(CTX_OB),
    Known::Str(CTX_PROBITY),
    Known::Strs(CONTEXTS),
    Known::Strs(&[CTX_VC, CTX_PROBITY]),
    Known::Strs(&[CTX_VC]),
    Known::Str("https://w3id.org/security/multikey/v1"),
    Known::Str("https://w3id.org/security/data-integrity/v2"),
    Known::Str("https://www.w3.org/ns/did/v1"),
    // 9: credential types
    Known::Strs(&[
        "VerifiableCredential",
        "OpenBadgeCredential",
        "PocusIpCertificate",
    ]),
    Known::Strs(&[
        "VerifiableCredential",
        "OpenBadgeCredential",
        "PocusSkillAttestation",
    ]),
    Known::Strs(&["VerifiableCredential", "PocusIpCertificate"]),
    Known::Strs(&["VerifiableCredential", "PocusSkillAttestation"]),
    Known::Strs(&["VerifiableCredential", "BitstringStatusListCredential"]),
    Known::Strs(&["VerifiableCredential", "OpenBadgeCredential"]),
    Known::Strs(&["VerifiableCredential"]),
    Known::Strs(&["VerifiablePresentation"]),
    Known::Strs(&["Profile"]),
    Known::Strs(&["AchievementSubject"]),
    Known::Strs(&["Achievement"]),
    Known::Str("VerifiableCredential"),
    Known::Str("VerifiablePresentation"),
    Known::Str("OpenBadgeCredential"),
    Known::Str("PocusIpCertificate"),
    Known::Str("PocusSkillAttestation"),
    Known::Str("BitstringStatusListCredential"),
    Known::Str("BitstringStatusList"),
    Known::Str("BitstringStatusListEntry"),
    Known::Str("DataIntegrityProof"),
    Known::Str("Profile"),
    Known::Str("AchievementSubject"),
    Known::Str("Achievement"),
    Known::Str("Criteria"),
    Known::Str("Multikey"),
    Known::Str("EndorsementCredential"),
    // 35: proofs and status
    Known::Str("eddsa-jcs-2022"),
    Known::Str("eddsa-rdfc-2022"),
    Known::Str("assertionMethod"),
    Known::Str("authentication"),
    Known::Str("capabilityInvocation"),
    Known::Str("capabilityDelegation"),
    Known::Str("revocation"),
    Known::Str("suspension"),
    Known::Str("refresh"),
    Known::Str("message"),
    // 45: Open Badges achievement types
    Known::Str("Certification"),
    Known::Str("Competency"),
    Known::Str("Certificate"),
    Known::Str("CertificateOfCompletion"),
    Known::Str("Course"),
    Known::Str("License"),
    Known::Str("MicroCredential"),
    Known::Str("Badge"),
    Known::Str("Assessment"),
    Known::Str("LearningProgram"),
    // 55: POCUS tracks, pathways, exam kinds
    Known::Str("FM_CORE"),
    Known::Str("ACUTE_CARE_CORE"),
    Known::Str("FM_MSK"),
    Known::Str("RESUS"),
    Known::Str("DIAG"),
    Known::Str("standard"),
    Known::Str("exception"),
    Known::Str("written"),
    Known::Str("visual"),
    Known::Str("practical"),
    // 65: modules and applications
    Known::Strs(&["shoulder", "elbow", "wrist", "hip", "knee", "ankle"]),
    Known::Str("shoulder"),
    Known::Str("elbow"),
    Known::Str("wrist"),
    Known::Str("hip"),
    Known::Str("knee"),
    Known::Str("ankle"),
    Known::Strs(&["eFAST", "AAA", "lung", "cardiac", "vascular access"]),
    Known::Str("eFAST"),
    Known::Str("FAST"),
    Known::Str("AAA"),
    Known::Str("lung"),
    Known::Str("cardiac"),
    Known::Str("vascular access"),
    Known::Str("DVT"),
    Known::Str("early pregnancy"),
    Known::Str("biliary"),
    Known::Str("renal"),
    Known::Str("soft tissue"),
    Known::Str("ocular"),
    Known::Str("nerve block"),
    Known::Str("procedural guidance"),
    Known::Str("MSK"),
    // 88: object keys
    Known::Str("@context"),
    Known::Str("id"),
    Known::Str("type"),
    Known::Str("name"),
    Known::Str("description"),
    Known::Str("issuer"),
    Known::Str("validFrom"),
    Known::Str("validUntil"),
    Known::Str("credentialSubject"),
    Known::Str("credentialStatus"),
    Known::Str("credentialSchema"),
    Known::Str("proof"),
    Known::Str("evidence"),
    Known::Str("termsOfUse"),
    Known::Str("refreshService"),
    Known::Str("renderMethod"),
    Known::Str("image"),
    Known::Str("holder"),
    Known::Str("verifiableCredential"),
    Known::Str("cryptosuite"),
    Known::Str("created"),
    Known::Str("expires"),
    Known::Str("verificationMethod"),
    Known::Str("proofPurpose"),
    Known::Str("proofValue"),
    Known::Str("challenge"),
    Known::Str("domain"),
    Known::Str("nonce"),
    Known::Str("previousProof"),
    Known::Str("statusPurpose"),
    Known::Str("statusListIndex"),
    Known::Str("statusListCredential"),
    Known::Str("statusSize"),
    Known::Str("statusMessage"),
    Known::Str("statusReference"),
    Known::Str("encodedList"),
    Known::Str("ttl"),
    Known::Str("controller"),
    Known::Str("publicKeyMultibase"),
    Known::Str("secretKeyMultibase"),
    Known::Str("url"),
    Known::Str("email"),
    Known::Str("registrationNumber"),
    Known::Str("ipNumber"),
    Known::Str("track"),
    Known::Str("modules"),
    Known::Str("curriculumVersion"),
    Known::Str("pathway"),
    Known::Str("course"),
    Known::Str("provider"),
    Known::Str("date"),
    Known::Str("loggedScans"),
    Known::Str("total"),
    Known::Str("supervised"),
    Known::Str("from"),
    Known::Str("to"),
    Known::Str("supervisorIpNumber"),
    Known::Str("exams"),
    Known::Str("kind"),
    Known::Str("score"),
    Known::Str("passMark"),
    Known::Str("examiner"),
    Known::Str("achievement"),
    Known::Str("achievementType"),
    Known::Str("criteria"),
    Known::Str("narrative"),
    Known::Str("department"),
    Known::Str("applications"),
    Known::Str("supervisedScans"),
    Known::Str("qaReviewer"),
    Known::Str("reviewDate"),
    Known::Str("privileges"),
    Known::Str("jurisdiction"),
    Known::Str("version"),
    Known::Str("members"),
    Known::Str("keys"),
    Known::Str("status"),
    Known::Str("scope"),
    Known::Str("endpoints"),
    Known::Str("compromisedAt"),
    Known::Str("verdict"),
    Known::Str("checks"),
    Known::Str("credential"),
    Known::Str("verifiedAt"),
    Known::Str("verifier"),
    Known::Str("result"),
    Known::Str("awardedDate"),
    Known::Str("identifier"),
    Known::Str("alignment"),
];

/// Numbers of the shapes other shapes refer to (1-based; 0 in the 5-bit shape field
/// means "no shape").
pub(super) const S_PROFILE: u8 = 2;
pub(super) const S_IP_SUBJECT: u8 = 3;
pub(super) const S_COURSE: u8 = 4;
pub(super) const S_LOGGED_SCANS: u8 = 5;
pub(super) const S_EXAM: u8 = 6;
pub(super) const S_ACHIEVEMENT: u8 = 7;
pub(super) const S_CRITERIA: u8 = 8;
pub(super) const S_STATUS_ENTRY: u8 = 9;
pub(super) const S_PROOF_WITH_CONTEXT: u8 = 10;

/// The values a Probity credential writes for one track, in the order of [`TRACKS`]:
/// `per_track!("prefix", "suffix")` uses the track's display name,
/// `per_track!(code "prefix")` its code.
macro_rules! per_track {
    ($prefix:literal, $suffix:literal) => {
        &[
            Known::Str(concat!($prefix, "FM CORE", $suffix)),
            Known::Str(concat!($prefix, "Acute Care CORE", $suffix)),
            Known::Str(concat!($prefix, "FM MSK", $suffix)),
            Known::Str(concat!($prefix, "RESUS", $suffix)),
            Known::Str(concat!($prefix, "DIAG", $suffix)),
        ]
    };
    (code $prefix:literal) => {
        &[
            Known::Str(concat!($prefix, "FM_CORE")),
            Known::Str(concat!($prefix, "ACUTE_CARE_CORE")),
            Known::Str(concat!($prefix, "FM_MSK")),
            Known::Str(concat!($prefix, "RESUS")),
            Known::Str(concat!($prefix, "DIAG")),
        ]
    };
}

/// POCUS tracks of the IP certificate.
const TRACKS: &[Known] = per_track!(code "");
const CREDENTIAL_TYPES: &[Known] = &[
    Known::Strs(&[
        "VerifiableCredential",
        "OpenBadgeCredential",
        "PocusIpCertificate",
    ]),
    Known::Strs(&[
        "VerifiableCredential",
        "OpenBadgeCredential",
        "PocusSkillAttestation",
    ]),
    Known::Strs(&["VerifiableCredential", "PocusIpCertificate"]),
    Known::Strs(&["VerifiableCredential", "PocusSkillAttestation"]),
];
const IP_NAMES: &[Known] = per_track!("Independent Practitioner: ", "");
const ACHIEVEMENT_IDS: &[Known] = per_track!(code "https://probity.network/achievements/pocus-ip/");
const ACHIEVEMENT_NAMES: &[Known] = per_track!("POCUS Independent Practitioner: ", "");
const ACHIEVEMENT_DESCRIPTIONS: &[Known] = per_track!(
    "Independent Practitioner certification in point-of-care ultrasound, track ",
    "."
);
const NARRATIVES: &[Known] = &[Known::Str(
    "Accredited introductory course, logged scans supervised by a track instructor, \
     and written (85%), visual (85%) and practical (100%) examinations.",
)];
const MODULE_LISTS: &[Known] = &[Known::Strs(&[
    "shoulder", "elbow", "wrist", "hip", "knee", "ankle",
])];
const PATHWAYS: &[Known] = &[Known::Str("standard"), Known::Str("exception")];
const EXAM_KINDS: &[Known] = &[
    Known::Str("written"),
    Known::Str("visual"),
    Known::Str("practical"),
];
const STATUS_PURPOSES: &[Known] = &[
    Known::Str("revocation"),
    Known::Str("suspension"),
    Known::Str("refresh"),
    Known::Str("message"),
];

const ACHIEVEMENT_SUBJECT: Known = Known::Strs(&["AchievementSubject"]);

/// Object shapes: a list of keys in coding order, each with the hint for its value.
/// The coding order is chosen so that strings a later string repeats come first (the
/// issuer before the proof's verificationMethod, a status list URL before the entry id).
pub(super) const SHAPES: &[&[(&str, Hint)]] = &[
    // 1: a Probity credential
    &[
        ("@context", Hint::Const(Known::Strs(CONTEXTS))),
        ("id", Hint::Uuid),
        ("type", Hint::OneOf(CREDENTIAL_TYPES)),
        ("name", Hint::OneOf(IP_NAMES)),
        ("issuer", Hint::Obj(S_PROFILE)),
        ("validFrom", Hint::DateTime),
        ("validUntil", Hint::DateTime),
        ("credentialSubject", Hint::Obj(S_IP_SUBJECT)),
        ("credentialStatus", Hint::Arr(&Hint::Obj(S_STATUS_ENTRY))),
        ("proof", Hint::Obj(S_PROOF_WITH_CONTEXT)),
    ],
    // 2: an issuer profile
    &[
        ("id", Hint::Text),
        ("type", Hint::Const(Known::Strs(&["Profile"]))),
        ("name", Hint::Text),
    ],
    // 3: the subject of a PocusIpCertificate
    &[
        ("type", Hint::Const(ACHIEVEMENT_SUBJECT)),
        ("name", Hint::Text),
        ("registrationNumber", Hint::Text),
        ("ipNumber", Hint::Text),
        ("track", Hint::OneOf(TRACKS)),
        ("modules", Hint::OneOf(MODULE_LISTS)),
        ("curriculumVersion", Hint::Text),
        ("pathway", Hint::OneOf(PATHWAYS)),
        ("course", Hint::Obj(S_COURSE)),
        ("loggedScans", Hint::Obj(S_LOGGED_SCANS)),
        ("exams", Hint::Arr(&Hint::Obj(S_EXAM))),
        ("achievement", Hint::Obj(S_ACHIEVEMENT)),
    ],
    // 4: an accredited course
    &[
        ("id", Hint::Text),
        ("provider", Hint::Text),
        ("date", Hint::Date),
    ],
    // 5: logged scans
    &[
        ("total", Hint::Uint),
        ("supervised", Hint::Uint),
        ("from", Hint::Date),
        ("to", Hint::Date),
        ("supervisorIpNumber", Hint::Text),
    ],
    // 6: an exam
    &[
        ("kind", Hint::OneOf(EXAM_KINDS)),
        ("score", Hint::Uint),
        ("passMark", Hint::Uint),
        ("date", Hint::Date),
        ("examiner", Hint::Text),
    ],
    // 7: an Open Badges achievement
    &[
        ("id", Hint::OneOf(ACHIEVEMENT_IDS)),
        ("type", Hint::Const(Known::Strs(&["Achievement"]))),
        ("achievementType", Hint::Const(Known::Str("Certification"))),
        ("name", Hint::OneOf(ACHIEVEMENT_NAMES)),
        ("description", Hint::OneOf(ACHIEVEMENT_DESCRIPTIONS)),
        ("criteria", Hint::Obj(S_CRITERIA)),
    ],
    // 8: achievement criteria
    &[("narrative", Hint::OneOf(NARRATIVES))],
    // 9: a Bitstring Status List entry
    &[
        ("statusPurpose", Hint::OneOf(STATUS_PURPOSES)),
        ("statusListCredential", Hint::Text),
        ("statusListIndex", Hint::Digits),
        ("type", Hint::Const(Known::Str("BitstringStatusListEntry"))),
        ("id", Hint::Text),
    ],
    // 10: a Data Integrity proof that repeats the credential's contexts
    &[
        ("type", Hint::Const(Known::Str("DataIntegrityProof"))),
        ("cryptosuite", Hint::Const(Known::Str("eddsa-jcs-2022"))),
        ("created", Hint::DateTime),
        ("verificationMethod", Hint::Text),
        ("proofPurpose", Hint::Const(Known::Str("assertionMethod"))),
        ("@context", Hint::Const(Known::Strs(CONTEXTS))),
        ("proofValue", Hint::Base58),
    ],
    // 11: a Data Integrity proof without contexts
    &[
        ("type", Hint::Const(Known::Str("DataIntegrityProof"))),
        ("cryptosuite", Hint::Const(Known::Str("eddsa-jcs-2022"))),
        ("created", Hint::DateTime),
        ("verificationMethod", Hint::Text),
        ("proofPurpose", Hint::Const(Known::Str("assertionMethod"))),
        ("proofValue", Hint::Base58),
    ],
    // 12: the subject of a PocusSkillAttestation
    &[
        ("type", Hint::Const(ACHIEVEMENT_SUBJECT)),
        ("name", Hint::Text),
        ("registrationNumber", Hint::Text),
        ("department", Hint::Text),
        ("applications", Hint::Arr(&Hint::Known)),
        ("supervisedScans", Hint::Map(&Hint::Uint)),
        ("qaReviewer", Hint::Text),
        ("reviewDate", Hint::Date),
        ("privileges", Hint::Arr(&Hint::Text)),
        ("achievement", Hint::Obj(S_ACHIEVEMENT)),
    ],
    // 13: the subject of a status list credential
    &[
        ("id", Hint::Text),
        ("type", Hint::Const(Known::Str("BitstringStatusList"))),
        ("statusPurpose", Hint::OneOf(STATUS_PURPOSES)),
        ("encodedList", Hint::Text),
    ],
    // 14: a Multikey verification method
    &[
        ("id", Hint::Base58),
        ("type", Hint::Const(Known::Str("Multikey"))),
        ("controller", Hint::Base58),
        ("publicKeyMultibase", Hint::Base58),
    ],
];

/// The static text that TEXT strings may copy from (DICT operations): the phrases of
/// Probity credentials, of the POCUS field and of the organisations that issue them.
/// Its length fixes the width of a DICT position ([`STATIC_POSITION_BITS`]).
pub(super) const STATIC_TEXT: &str = concat!(
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://probity.network/contexts/v1",
    "https://probity.network/achievements/pocus-ip/",
    "https://probity.network/achievements/pocus-skill/",
    "https://w3id.org/security/data-integrity/v2",
    "did:web:did:key:z6Mk#key-1#key-20",
    "/status/revocation/1#/status/suspension/1#",
    "/credentials/status/.well-known/did.json",
    "urn:uuid:.example.org.example.com.health.",
    "POCUS Independent Practitioner: ",
    "Independent Practitioner certification in point-of-care ultrasound, track ",
    "Accredited introductory course, logged scans supervised by a track instructor, ",
    "and written (85%), visual (85%) and practical (100%) examinations.",
    "FM_CORE FM CORE ACUTE_CARE_CORE Acute Care CORE FM_MSK FM MSK RESUS DIAG ",
    "POCUS skill attestation: ",
    "Local verification of point-of-care ultrasound skills: ",
    "applications signed off after supervised scans and quality review. ",
    "eFAST, AAA, lung, cardiac, vascular access, DVT, biliary, renal, ",
    "Canadian Point of Care Ultrasound Society (CPoCUS) CPOCUS-",
    "Ultrasound Academy Ultrasound Institute Ultrasound Course ",
    "Dr. University of University Hospital General Hospital ",
    "Health Sciences Centre Health Centre Medical Centre Medical Center ",
    "Regional Health Authority Health Services Hospital ",
    "Department of Emergency Medicine Department of Family Medicine ",
    "Department of Anesthesia Critical Care Medicine Intensive Care Unit ",
    "Internal Medicine Hospital Medicine Rural Medicine Sports Medicine ",
    "Faculty of Medicine School of Medicine College of Physicians and Surgeons of ",
    "Royal College Society Association Institute Foundation Clinic ",
    "Canada Ontario Quebec Québec British Columbia Alberta Manitoba ",
    "Saskatchewan Nova Scotia New Brunswick Newfoundland Prince Edward Island ",
    "Toronto Montréal Montreal Vancouver Calgary Edmonton Ottawa Winnipeg Halifax ",
    "Hôpital Centre hospitalier Université de l'Université Saint-St. ",
    "Western Eastern Northern Southern Pacific Atlantic Prairie ",
    "CPSO CPSBC CPSA CPSM CPSS CPSNS CPSNB CPSNL CMQ GMC IP-20",
);

/// Width of a DICT position: enough bits to address every character of [`STATIC_TEXT`].
pub(super) const STATIC_POSITION_BITS: u32 = 11;

/// The literal alphabet: printable ASCII (U+0020 to U+007E), then these letters. Any
/// other character is coded with the escape symbol (the last one, number 140).
pub(super) const ACCENTED: &str = "éèêëáàâäãåæçíìîïñóòôöõøœúùûüýÿßÉÈÊÀÂÇÔÖÜÅØÄÆŒ";

/// Which letters of [`ACCENTED`] are lower case (the first 31); the rest are upper case.
pub(super) const ACCENTED_LOWER: usize = 31;

/// Number of literal symbols: 95 printable ASCII, 45 letters, the escape.
pub(super) const LITERAL_SYMBOLS: usize = 141;

/// Code lengths of the canonical prefix codes for literal characters, one code per
/// context (the class of the previous character of the string: 0 = none or a space,
/// 1 = a lower-case letter, 2 = an upper-case letter, 3 = a digit, 4 = anything else),
/// indexed by literal symbol. Each set of lengths makes a complete prefix code (the
/// Kraft sum is exactly 1), so every bit sequence decodes to some symbol. They were
/// derived once from sample clinician names, organisations, identifiers and URLs
/// (the sample did not include the reference credential) and are now fixed.
#[rustfmt::skip]
pub(super) const LITERAL_LENGTHS: [[u8; 141]; 5] = [
    [13, 13, 13, 13, 13, 13, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 8, 8, 7, 9, 12, 9, 12, 9, 12, 9, 12, 12, 12, 12, 12, 12, 12, 5, 6, 4, 3, 6, 6, 6, 5, 6, 7, 6, 6, 4, 6, 6, 6, 9, 6, 5, 6, 5, 7, 7, 12, 8, 8, 12, 12, 12, 12, 12, 12, 4, 7, 6, 5, 6, 7, 7, 6, 6, 9, 8, 7, 9, 7, 5, 5, 8, 8, 5, 6, 6, 7, 7, 12, 9, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 8, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 8],
    [3, 15, 15, 15, 15, 15, 15, 11, 15, 15, 15, 15, 9, 8, 5, 8, 15, 15, 11, 12, 15, 15, 11, 15, 15, 12, 8, 12, 15, 15, 15, 15, 15, 12, 10, 12, 10, 12, 12, 11, 12, 15, 15, 11, 11, 15, 15, 15, 15, 15, 12, 12, 12, 15, 15, 12, 12, 12, 15, 15, 15, 15, 15, 15, 15, 4, 7, 5, 5, 3, 7, 7, 5, 4, 9, 7, 5, 6, 4, 4, 6, 11, 4, 4, 4, 5, 7, 8, 9, 6, 9, 15, 15, 15, 15, 9, 15, 15, 15, 12, 15, 15, 15, 15, 15, 15, 11, 11, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 14, 14, 14, 14, 10],
    [6, 13, 13, 13, 13, 13, 13, 8, 13, 13, 13, 13, 13, 5, 13, 13, 13, 12, 9, 12, 12, 9, 12, 12, 8, 12, 12, 12, 12, 12, 12, 12, 12, 7, 8, 6, 8, 7, 12, 8, 8, 9, 12, 9, 9, 8, 8, 6, 5, 9, 8, 5, 9, 7, 9, 9, 12, 12, 9, 12, 12, 12, 12, 12, 12, 3, 8, 6, 8, 3, 12, 8, 5, 5, 12, 7, 5, 6, 5, 3, 8, 12, 3, 7, 6, 5, 9, 7, 9, 8, 12, 12, 12, 12, 12, 9, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 8, 12, 12, 12, 9, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 8],
    [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 4, 5, 10, 3, 3, 3, 4, 4, 4, 5, 4, 5, 6, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 7, 10, 10, 10, 10, 10, 6, 10, 10, 10, 7, 10, 10, 10, 10, 7, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 7, 10, 7, 10, 10, 10, 7, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 7, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 6],
    [1, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 5, 5, 6, 4, 6, 8, 11, 11, 8, 11, 11, 11, 11, 11, 11, 11, 11, 11, 8, 6, 6, 11, 11, 8, 11, 11, 11, 11, 11, 8, 8, 11, 11, 11, 11, 6, 11, 11, 8, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 8, 11, 4, 11, 6, 11, 8, 11, 8, 8, 7, 8, 11, 11, 6, 6, 11, 8, 6, 8, 7, 7, 6, 11, 11, 7, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 10, 10, 10, 10, 6],
];
