/* ptce door — every user-visible string.
 *
 * Translations: Django's JavaScript catalogue (/accueil/jsi18n/<lang>/, loaded before the
 * modules and kept offline by the service worker). English msgids, French first. Without
 * the catalogue (node's tests), the English msgids.
 */

export const _ = typeof globalThis.gettext === "function" ? globalThis.gettext : (text) => text;
export const ngettext =
  typeof globalThis.ngettext === "function"
    ? globalThis.ngettext
    : (one, many, n) => (n === 1 ? one : many);
export const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));
export const LANGUAGE = (globalThis.document && globalThis.document.documentElement.lang) || "fr";

/** Every user-visible string. */
export const TEXT = {
  online: _("Online"),
  onlinePending: (n) =>
    fmt(ngettext("Online — %(n)s entry to send", "Online — %(n)s entries to send", n), { n }),
  offline: (n) =>
    fmt(ngettext("Offline — %(n)s entry waiting", "Offline — %(n)s entries waiting", n), { n }),
  listAge: (time) => fmt(_("list of %(time)s"), { time }),
  dismiss: _("OK"),
  dismissLabel: _("Hide this message"),

  pending: _("Checking online…"),
  check: _("Check the photo ID"),
  checkFromSearch: _("Found by a name search: check the photo ID with care."),
  admitted: _("Admitted"),
  admittedOffline: _("Admitted (offline)"),
  already: _("Already admitted"),
  unknown: _("Unknown or forged ticket"),
  cancelled: _("Registration cancelled"),
  waiting: _("On the waiting list"),
  otherEvent: _("Ticket of another event"),
  deviceRevoked: _("Device revoked"),
  deviceUnknown: _("Device not recognised"),
  idNotChecked: _("Photo ID not checked"),
  badStatus: _("Registration in an unexpected state"),
  unexpected: _("Unexpected answer from the server."),
  httpError: (status) => fmt(_("The server refused the request (error %(status)s)."), { status }),

  admittedWhen: (when, device) =>
    device
      ? fmt(_("Admitted %(when)s by the device “%(device)s”."), { when, device })
      : fmt(_("Admitted %(when)s."), { when }),
  todayAt: (time) => fmt(_("at %(time)s"), { time }),
  dayAt: (day, time) => fmt(_("on %(day)s at %(time)s"), { day, time }),
  localDecision: _("Offline: decided with the list kept on this phone."),
  unknownOffline: _("Offline: a very recent registration may be missing from this phone's list."),
  savedForSync: _("Kept on this phone; it will be sent as soon as the network is back."),
  savedInMemory: _(
    "Kept in memory only (local storage unavailable): do not close this page before the network is back."
  ),
  notSaved: _(
    "Warning: the entry could not be saved on this phone. Write the name down and tell the organisers."
  ),
  conflictDetail: _("Conflict: another device had admitted this person earlier."),
  conflict: (n, names) =>
    fmt(
      ngettext(
        "Conflict: %(n)s entry already admitted by another device",
        "Conflict: %(n)s entries already admitted by another device",
        n
      ),
      { n }
    ) + (names ? ` (${names})` : ""),
  offlineRefused: (name, reason) =>
    fmt(_("Offline entry refused by the server: %(name)s — %(reason)s"), {
      name: name || _("unknown person"),
      reason,
    }),
  notRecorded: _("Entry not recorded"),
  scanRejected: (name, reason) =>
    fmt(_("Entry refused by the server, not recorded: %(name)s — %(reason)s"), {
      name: name || _("unknown person"),
      reason,
    }),
  wrongEvent: _("This phone is enrolled for another event than this page."),
  storageUnavailable: _("Local storage unavailable: offline entries will be lost if the page is closed."),

  searchEmpty: _("No result"),
  searchMore: (n) =>
    fmt(ngettext("… and %(n)s more: narrow the search", "… and %(n)s more: narrow the search", n), { n }),
  statusLabels: {
    confirmed: _("registered"),
    waiting: _("waiting list"),
    cancelled: _("cancelled"),
  },
  statusAdmitted: (when) => fmt(_("admitted %(when)s"), { when }),

  cameraStop: _("Stop the camera"),
  cameraUnavailable: _(
    "The camera cannot read QR codes in this browser: type the code or use a USB scanner."
  ),
  cameraDenied: _("Camera access refused: allow it in the browser's settings, or type the code."),
  cameraFailed: _("The camera could not start: type the code or use a USB scanner."),

  overridden: (reason) => fmt(_("Admitted by override: “%(reason)s”."), { reason }),
  overrideNeedsNetwork: _("An override needs the network: try again once online."),
  walkInNeedsNetwork: _("A walk-in registration needs the network: try again once online."),
  walkInAdmitted: _("Registered at the desk; the ticket goes out by email."),
};
