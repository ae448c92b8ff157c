// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngrbuf: dma-buf bridge for mmngr buffers.
 *
 * Platform-driver glue, on the same model as mmngr: bind to the
 * "renesas,mmngrbuf" device-tree node, or to a platform device the module
 * creates itself where the board describes none.
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/sysfs.h>

#include "mmngrbuf_drv.h"

#define MMNGRBUF_FALLBACK_NAME	"mmngrbuf"

static struct platform_device *mmngrbuf_fallback;

static int mmngrbuf_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct mmngrbuf_device *bdev;
	int ret;

	bdev = devm_kzalloc(dev, sizeof(*bdev), GFP_KERNEL);
	if (!bdev)
		return -ENOMEM;
	bdev->dev = dev;
	mutex_init(&bdev->import_lock);
	hash_init(bdev->imports);

	/*
	 * Imported buffers are reported through the 32-bit Renesas ABI; a
	 * mask that says so keeps the DMA API from handing out addresses
	 * that ABI cannot carry.
	 */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		return dev_err_probe(dev, ret, "no usable 32-bit DMA mask\n");
	/*
	 * What it imports is used as one block: exporters may hand it
	 * segments of any length (the default claims 64 KiB at most).
	 */
	dma_set_max_seg_size(dev, UINT_MAX);

	platform_set_drvdata(pdev, bdev);

	return mmngrbuf_misc_register(bdev);
}

/* Refusals for the per-file limits, in the device's sysfs directory. */
static ssize_t fences_refused_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mmngrbuf_device *bdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&bdev->fences_refused));
}
static DEVICE_ATTR_RO(fences_refused);

static ssize_t imports_refused_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct mmngrbuf_device *bdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&bdev->imports_refused));
}
static DEVICE_ATTR_RO(imports_refused);

static struct attribute *mmngrbuf_attrs[] = {
	&dev_attr_fences_refused.attr,
	&dev_attr_imports_refused.attr,
	NULL
};
ATTRIBUTE_GROUPS(mmngrbuf);

static const struct of_device_id mmngrbuf_of_match[] = {
	{ .compatible = "renesas,mmngrbuf" },
	{ }
};
MODULE_DEVICE_TABLE(of, mmngrbuf_of_match);

static const struct platform_device_id mmngrbuf_id_table[] = {
	{ .name = MMNGRBUF_FALLBACK_NAME },
	{ }
};
MODULE_DEVICE_TABLE(platform, mmngrbuf_id_table);

static struct platform_driver mmngrbuf_driver = {
	.probe = mmngrbuf_probe,
	.id_table = mmngrbuf_id_table,
	.driver = {
		.name = "rgnmmbuf_drv",
		.of_match_table = mmngrbuf_of_match,
		.dev_groups = mmngrbuf_groups,
		.suppress_bind_attrs = true,
	},
};

static int __init mmngrbuf_init(void)
{
	struct platform_device_info info = {
		.name = MMNGRBUF_FALLBACK_NAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(32),
	};
	struct device_node *np;
	int ret;

	ret = mmngrbuf_fence_init();
	if (ret)
		return ret;
	ret = platform_driver_register(&mmngrbuf_driver);
	if (ret)
		goto err_fence;

	np = of_find_compatible_node(NULL, NULL, "renesas,mmngrbuf");
	of_node_put(np);
	if (!np) {
		mmngrbuf_fallback = platform_device_register_full(&info);
		if (IS_ERR(mmngrbuf_fallback)) {
			ret = PTR_ERR(mmngrbuf_fallback);
			goto err_driver;
		}
	}
	/* Last: the heap nodes need nothing above, but are user-visible. */
	mmngrbuf_heaps_init();
	return 0;

err_driver:
	platform_driver_unregister(&mmngrbuf_driver);
err_fence:
	mmngrbuf_fence_exit();
	return ret;
}
module_init(mmngrbuf_init);

static void __exit mmngrbuf_exit(void)
{
	mmngrbuf_heaps_exit();
	platform_device_unregister(mmngrbuf_fallback);
	platform_driver_unregister(&mmngrbuf_driver);
	mmngrbuf_fence_exit();
}
module_exit(mmngrbuf_exit);

MODULE_DESCRIPTION("dma-buf exporter and importer for mmngr buffers");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_LICENSE("GPL");
MODULE_VERSION(MMNGR_VERSION);
