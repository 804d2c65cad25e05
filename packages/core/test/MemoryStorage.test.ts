import * as MemoryStorage from "../src/memory/MemoryStorage.js"
import { storageConformance } from "../testing/index.js"

storageConformance("in-memory", MemoryStorage.layer)
