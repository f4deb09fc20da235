// Registers CDKTF's matchers (toHaveResource, toHaveResourceWithProperties, ...) on expect.
import { Testing } from "cdktf";

Testing.setupJest();
