// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr: physically contiguous buffers for multimedia IP.
 *
 * Platform-driver glue.  mmngr binds to the "renesas,mmngr" device-tree node
 * when the board describes one.  Systems without such a node (x86 PCs, boards
 * whose tree predates mmngr) still need /dev/rgnmm, so the module then creates
 * a platform device of its own and binds to that.
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/sysfs.h>

#include "mmngr_drv.h"

#define MMNGR_FALLBACK_NAME	"mmngr"

static struct platform_device *mmngr_fallback;

static void mmngr_misc_unregister(void *misc)
{
	misc_deregister(misc);
}

/**
 * mmngr_misc_register() - create a character device of a bound device
 * @mdev:	the device, fully initialised
 * @misc:	the miscdevice to fill in and register
 * @name:	its /dev name
 * @fops:	its operations
 *
 * The node is removed again when @mdev's platform device is unbound.
 *
 * Return: 0 or a negative errno.
 */
int mmngr_misc_register(struct mmngr_device *mdev, struct miscdevice *misc,
			const char *name, const struct file_operations *fops)
{
	int ret;

	misc->minor = MISC_DYNAMIC_MINOR;
	misc->name = name;
	misc->fops = fops;
	misc->parent = mdev->dev;

	ret = misc_register(misc);
	if (ret)
		return dev_err_probe(mdev->dev, ret, "cannot register /dev/%s\n",
				     name);
	return devm_add_action_or_reset(mdev->dev, mmngr_misc_unregister, misc);
}

static int mmngr_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct mmngr_device *mdev;
	int ret;

	mdev = devm_kzalloc(dev, sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return -ENOMEM;
	mdev->dev = dev;

	/*
	 * The Renesas ABI hands out 32-bit device addresses, and R-Car's
	 * multimedia masters address 32 bits, so allocate below 4 GiB.
	 */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		return dev_err_probe(dev, ret, "no usable 32-bit DMA mask\n");

	platform_set_drvdata(pdev, mdev);

	ret = mmngr_pools_init(mdev);
	if (ret)
		return dev_err_probe(dev, ret, "no usable memory pools\n");
	ret = mmngr_sysfs_init(mdev);
	if (ret)
		return ret;

	/* Last: from here on user space can reach the device. */
	ret = mmngr_misc_register(mdev, &mdev->misc, "rgnmm", &mmngr_rgnmm_fops);
	if (ret)
		return ret;
	ret = mmngr_misc_register(mdev, &mdev->uapi_misc, "mmngr",
				  &mmngr_uapi_fops);
	if (ret)
		return ret;
	/* And other modules (mmngrbuf's dma-buf heaps) may use the pools. */
	return mmngr_watch_publish(mdev);
}

/* Refusals for the per-file limit, in the device's sysfs directory. */
static ssize_t handles_refused_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct mmngr_device *mdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&mdev->handles_refused));
}
static DEVICE_ATTR_RO(handles_refused);

static struct attribute *mmngr_attrs[] = {
	&dev_attr_handles_refused.attr,
	NULL
};
ATTRIBUTE_GROUPS(mmngr);

static const struct of_device_id mmngr_of_match[] = {
	{ .compatible = "renesas,mmngr" },
	{ }
};
MODULE_DEVICE_TABLE(of, mmngr_of_match);

static const struct platform_device_id mmngr_id_table[] = {
	{ .name = MMNGR_FALLBACK_NAME },
	{ }
};
MODULE_DEVICE_TABLE(platform, mmngr_id_table);

static struct platform_driver mmngr_driver = {
	.probe = mmngr_probe,
	.id_table = mmngr_id_table,
	.driver = {
		/* The original driver's name, for scripts that bind by name. */
		.name = "rgnmm_drv",
		.of_match_table = mmngr_of_match,
		.dev_groups = mmngr_groups,
		/*
		 * Open files and mappings point at the device's state;
		 * they pin the module, but not a sysfs unbind.
		 */
		.suppress_bind_attrs = true,
	},
};

static int __init mmngr_init(void)
{
	struct platform_device_info info = {
		.name = MMNGR_FALLBACK_NAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(32),
	};
	struct device_node *np;
	int ret;

	mmngr_debugfs_init();
	ret = platform_driver_register(&mmngr_driver);
	if (ret)
		goto err_debugfs;

	np = of_find_compatible_node(NULL, NULL, "renesas,mmngr");
	of_node_put(np);
	if (np)
		return 0;

	mmngr_fallback = platform_device_register_full(&info);
	if (IS_ERR(mmngr_fallback)) {
		ret = PTR_ERR(mmngr_fallback);
		goto err_driver;
	}
	return 0;

err_driver:
	platform_driver_unregister(&mmngr_driver);
err_debugfs:
	mmngr_debugfs_exit();
	return ret;
}
module_init(mmngr_init);

static void __exit mmngr_exit(void)
{
	platform_device_unregister(mmngr_fallback);
	platform_driver_unregister(&mmngr_driver);
	mmngr_debugfs_exit();
}
module_exit(mmngr_exit);

MODULE_DESCRIPTION("Physically contiguous buffer allocator for multimedia IP");
MODULE_LICENSE("GPL");
MODULE_VERSION(MMNGR_VERSION);
