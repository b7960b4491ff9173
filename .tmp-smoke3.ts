import { z } from "zod";
console.log(z.email().safeParse("o'brien@contoso.com").success);
