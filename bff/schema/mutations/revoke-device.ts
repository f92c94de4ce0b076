import { deviceDecisionMutation } from "./device-decision.ts";

deviceDecisionMutation(
  "revokeDevice",
  "revoke",
  "Revokes a device's credentials for good: every binding refuses and disconnects it",
);
