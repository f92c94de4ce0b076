import { deviceDecisionMutation } from "./device-decision.ts";

deviceDecisionMutation("enableDevice", "enable", "Enables a disabled device again");
