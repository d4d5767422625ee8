import { z } from 'zod';
import m365 from '../../data/products/microsoft-365.json';
import businessApps from '../../data/products/business-applications.json';

/** Solution areas and the activities each allows (docs/claim-rules.md, "What a claim holds"). */
export const SOLUTION_AREAS = ['BusinessApplications', 'Microsoft365'] as const;
export type SolutionArea = (typeof SOLUTION_AREAS)[number];

export const ACTIVITIES_BY_AREA = {
  Microsoft365: ['PreSales', 'Usage'],
  BusinessApplications: ['UsageAndOrPreSales', 'RevenueAssociation'],
} as const satisfies Record<SolutionArea, readonly string[]>;
export type Activity = (typeof ACTIVITIES_BY_AREA)[SolutionArea][number];
export const ACTIVITIES: readonly Activity[] = [...ACTIVITIES_BY_AREA.Microsoft365, ...ACTIVITIES_BY_AREA.BusinessApplications];

const productSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  dynamics365: z.boolean(),
});
const catalogueFileSchema = z.object({
  solutionArea: z.enum(SOLUTION_AREAS),
  products: z.array(productSchema).min(1),
});
export type Product = z.infer<typeof productSchema>;

/**
 * The product catalogue is data (one JSON file per solution area under data/products); this module
 * only validates and indexes it, so adding a product is a data change.
 */
export class ProductCatalogue {
  private readonly byArea = new Map<SolutionArea, Product[]>();
  private readonly byId = new Map<string, { product: Product; area: SolutionArea }>();

  constructor(files: unknown[]) {
    for (const raw of files) {
      const file = catalogueFileSchema.parse(raw);
      this.byArea.set(file.solutionArea, file.products);
      for (const product of file.products) {
        if (this.byId.has(product.id)) throw new Error(`Product id ${product.id} is listed twice in the catalogue`);
        this.byId.set(product.id, { product, area: file.solutionArea });
      }
    }
  }

  products(area: SolutionArea): readonly Product[] {
    return this.byArea.get(area) ?? [];
  }

  find(productId: string): Product | undefined {
    return this.byId.get(productId)?.product;
  }

  areaOf(productId: string): SolutionArea | undefined {
    return this.byId.get(productId)?.area;
  }

  isDynamics365(productId: string): boolean {
    return this.byId.get(productId)?.product.dynamics365 ?? false;
  }
}

export const productCatalogue = new ProductCatalogue([m365, businessApps]);
