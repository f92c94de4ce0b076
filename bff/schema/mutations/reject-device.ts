import { deviceDecisionMutation } from "./device-decision.ts";

deviceDecisionMutation("rejectDevice", "reject", "Rejects a device's pending request or withdraws its pre-approval");
