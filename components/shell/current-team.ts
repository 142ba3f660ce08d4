// The cookie remembering the last team a user worked in (shared by server and client code).
export const CURRENT_TEAM_COOKIE = "minicloud-team";
