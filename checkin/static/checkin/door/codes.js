/* ptce door — the server's error codes (checkin/errors.py) the door acts on.
 * checkin/tests/test_door_codes.py checks that each one is declared on the server. */

/** This phone may not admit anyone: nothing is kept for later. */
export const DEVICE_REVOKED = "checkin.device_revoked";
export const DEVICE_UNKNOWN = "checkin.device_unknown";
/** A scan the server refused on its own, when its answer carries no code. */
export const INVALID_SCAN = "checkin.invalid_scan";

export const HANDLED_CODES = [DEVICE_REVOKED, DEVICE_UNKNOWN, INVALID_SCAN];
